/** Entry point: the stylesheet and the app frame, which takes over `<cv-app>` in index.html. */
import './styles/app.css';
import './components/app-shell';
import { registerServiceWorker } from './pwa';

registerServiceWorker();
document.body.append(document.createElement('cv-offline-notice'));
