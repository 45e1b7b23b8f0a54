import { html } from 'lit';
import { currentAccount } from '../api/auth';
import { LightElement } from '../components/light-element';
import '../components/totp-enrolment';
import { t } from '../i18n';
import { navigate } from '../router';
import { getAccount, setAccount, setNotice } from '../session';

/**
 * The mandatory set-up of two-step sign-in. Accounts whose role requires it (clinicians and
 * admins, when the server says so) are kept here until they confirm a first code.
 */
export class MfaSetupPage extends LightElement {
  private async onEnabled(): Promise<void> {
    let account = null;
    try {
      account = await currentAccount();
    } catch {
      // Two-step sign-in is on whatever this answer; carry on with what we know.
    }
    const known = getAccount();
    setAccount(
      account ?? (known ? { ...known, mfa_enabled: true, mfa_enrolment_required: false } : null),
    );
    setNotice(t('mfa.enabledNotice'));
    navigate('/home', { replace: true });
  }

  override render() {
    return html`
      <div class="panel panel--narrow">
        <h1>${t('mfaSetup.title')}</h1>
        <p class="lead">${t('mfaSetup.intro')}</p>
        <cv-totp-enrolment auto-start @totp-enabled=${this.onEnabled}></cv-totp-enrolment>
      </div>
    `;
  }
}

customElements.define('cv-mfa-setup', MfaSetupPage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-mfa-setup': MfaSetupPage;
  }
}
