import type { DownloadedFile } from '../api/http';

/** How long a downloaded file's object URL lives: long enough for any browser to start saving. */
const URL_LIFETIME_MS = 60_000;

/** Save a downloaded file through a Blob URL and a hidden link placed in `host`. */
export function saveFile(host: HTMLElement, file: DownloadedFile): void {
  const url = URL.createObjectURL(file.blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = file.filename;
  link.hidden = true;
  host.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), URL_LIFETIME_MS);
}
