import { html, nothing } from 'lit';
import { currentAccount, signOut, type Account } from '../api/auth';
import { onEnrolmentRequired, onSessionLost } from '../api/http';
import { setLocale, t } from '../i18n';
import { AREAS, areaFor, roleHome, type Area } from '../roles';
import { currentRoute, navigate, onRouteChange, startRouter, type Route } from '../router';
import { getAccount, onAccountChange, setAccount, setNotice } from '../session';
import { describeError } from './errors';
import './alert-badge';
import { LightElement } from './light-element';
import '../pages/area-page';
import '../pages/care/appointments-page';
import '../pages/care/schedule-page';
import '../pages/forgot-password-page';
import '../pages/home-page';
import '../pages/mfa-setup-page';
import '../pages/monitoring/alerts-page';
import '../pages/monitoring/monitoring-page';
import '../pages/monitoring/vitals-page';
import '../pages/not-found-page';
import '../pages/privacy/privacy-page';
import '../pages/reset-password-page';
import '../pages/security-page';
import '../pages/space-page';
import '../pages/spaces-page';
import '../pages/sign-in-page';
import '../pages/sign-up-page';

/** Routes that need a signed-in account. */
function needsAccount(route: Route): boolean {
  return ['home', 'area', 'space', 'security', 'mfaSetup'].includes(route.name);
}

/** Routes open to anyone, in any state: a reset link must work whoever is signed in. */
function isOpenToAll(route: Route): boolean {
  return route.name === 'forgotPassword' || route.name === 'resetPassword';
}

const MFA_SETUP_PATH = '/setup-two-step';

/**
 * The page frame: skip link, header with navigation, the current page in `<main>`, footer.
 * It owns the session at start-up, guards routes, titles the document and moves focus to the
 * new page's heading after each navigation so screen-reader and keyboard users land there.
 */
export class CareverseApp extends LightElement {
  static override properties = {
    account: { state: true },
    route: { state: true },
    ready: { state: true },
    menuOpen: { state: true },
    startError: { state: true },
  };

  declare account: Account | null;
  declare route: Route;
  declare ready: boolean;
  declare menuOpen: boolean;
  declare startError: string;

  /** Set when a navigation (not the first load) should move focus to the new page. */
  private focusPending = false;
  /** While redirecting, whether the navigation being redirected should move focus. */
  private redirectFocus: boolean | null = null;
  private stops: (() => void)[] = [];

  constructor() {
    super();
    this.account = null;
    this.route = currentRoute();
    this.ready = false;
    this.menuOpen = false;
    this.startError = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // The browser's language until the account's is known.
    setLocale(null);
    startRouter();
    this.stops.push(
      onRouteChange((route) => this.show(route, this.redirectFocus ?? true)),
      onAccountChange((account) => (this.account = account)),
      onSessionLost(() => this.sessionLost()),
      onEnrolmentRequired(() => this.enrolmentRequired()),
    );
    void this.start();
  }

  override disconnectedCallback(): void {
    for (const stop of this.stops) stop();
    this.stops = [];
    super.disconnectedCallback();
  }

  private async start(): Promise<void> {
    try {
      setAccount(await currentAccount());
    } catch (error) {
      this.startError = describeError(error);
      setAccount(null);
    }
    this.ready = true;
    this.show(currentRoute(), false);
  }

  /** Where `route` must send the visitor instead, if anywhere. */
  private redirectFor(route: Route): string | null {
    const account = getAccount();
    const signedIn = account !== null;
    // An account that must set up two-step sign-in first is kept on that screen: the server
    // refuses it everything else anyway.
    if (account?.mfa_enrolment_required && route.name !== 'mfaSetup' && !isOpenToAll(route)) {
      return MFA_SETUP_PATH;
    }
    if (route.name === 'mfaSetup' && signedIn && !account.mfa_enrolment_required) {
      return '/settings/security';
    }
    if (route.name === 'root') return signedIn ? '/home' : '/signin';
    if ((route.name === 'signIn' || route.name === 'signUp') && signedIn) return '/home';
    if (needsAccount(route) && !signedIn) {
      const here = location.pathname + location.search;
      return route.name === 'home' ? '/signin' : `/signin?next=${encodeURIComponent(here)}`;
    }
    return null;
  }

  private show(route: Route, moveFocus: boolean): void {
    if (!this.ready) return;
    const redirect = this.redirectFor(route);
    if (redirect) {
      // A redirect keeps the focus decision of the navigation that led to it.
      this.redirectFocus = moveFocus;
      try {
        navigate(redirect, { replace: true });
      } finally {
        this.redirectFocus = null;
      }
      return;
    }
    this.route = route;
    this.menuOpen = false;
    this.focusPending ||= moveFocus;
    this.requestUpdate();
  }

  private sessionLost(): void {
    if (!getAccount()) return;
    setAccount(null);
    setNotice(t('error.sessionEnded'));
    const here = location.pathname + location.search;
    navigate(`/signin?next=${encodeURIComponent(here)}`, { replace: true });
  }

  private enrolmentRequired(): void {
    const account = getAccount();
    if (!account || account.mfa_enrolment_required) return;
    setAccount({ ...account, mfa_enrolment_required: true });
    this.show(currentRoute(), true);
  }

  private async onSignOut(): Promise<void> {
    try {
      await signOut();
    } catch {
      // Whatever the server says, this browser is signed out from here on.
    }
    setAccount(null);
    setNotice(t('signIn.signedOut'));
    navigate('/signin');
  }

  private onSkip(event: Event): void {
    event.preventDefault();
    const main = this.querySelector<HTMLElement>('#main');
    main?.focus();
    main?.scrollIntoView();
  }

  private pageTitle(): string {
    const route = this.route;
    switch (route.name) {
      case 'signIn':
        return t('signIn.title');
      case 'signUp':
        return t('signUp.title');
      case 'home':
        return t('nav.home');
      case 'security':
        return t('security.title');
      case 'mfaSetup':
        return t('mfaSetup.title');
      case 'forgotPassword':
        return t('forgot.title');
      case 'resetPassword':
        return t('reset.title');
      case 'area': {
        const area = this.account ? areaFor(this.account.role, route.slug) : null;
        return area ? t(area.title) : t('notFound.title');
      }
      case 'space':
        return t('world.space.title');
      case 'notFound':
        return t('notFound.title');
      default:
        return t('app.loading');
    }
  }

  protected override async updated(): Promise<void> {
    if (!this.ready) return;
    document.title = t('app.pageTitle', { page: this.pageTitle() });
    if (!this.focusPending) return;
    this.focusPending = false;
    const main = this.querySelector('#main');
    const page = [...(main?.children ?? [])].find((child) => child instanceof LightElement);
    await (page as LightElement | undefined)?.updateComplete;
    const heading = this.querySelector<HTMLElement>('#main h1');
    if (heading) {
      heading.tabIndex = -1;
      heading.focus({ preventScroll: true });
    }
    window.scrollTo(0, 0);
  }

  private renderPage() {
    if (!this.ready) {
      return html`<p class="loading" role="status">${t('app.loading')}</p>`;
    }
    const route = this.route;
    switch (route.name) {
      case 'signIn':
        return html`<cv-sign-in></cv-sign-in>`;
      case 'signUp':
        return html`<cv-sign-up></cv-sign-up>`;
      case 'home':
        return html`<cv-home .account=${this.account}></cv-home>`;
      case 'security':
        return html`<cv-security .account=${this.account}></cv-security>`;
      case 'mfaSetup':
        return html`<cv-mfa-setup></cv-mfa-setup>`;
      case 'forgotPassword':
        return html`<cv-forgot-password></cv-forgot-password>`;
      case 'resetPassword':
        return html`<cv-reset-password></cv-reset-password>`;
      case 'area': {
        const area = this.account ? areaFor(this.account.role, route.slug) : null;
        return area ? this.renderArea(area) : html`<cv-not-found></cv-not-found>`;
      }
      case 'space':
        return html`<cv-space .spaceId=${route.id} .account=${this.account}></cv-space>`;
      default:
        return html`<cv-not-found></cv-not-found>`;
    }
  }

  /** An area's own page where it has one yet, else its placeholder. */
  private renderArea(area: Area) {
    if (area.slug === AREAS.privacy.slug) return html`<cv-privacy></cv-privacy>`;
    if (area.slug === AREAS.spaces.slug) return html`<cv-spaces .account=${this.account}></cv-spaces>`;
    if (area.slug === AREAS.monitoring.slug) return html`<cv-monitoring></cv-monitoring>`;
    if (area.slug === AREAS.alerts.slug) return html`<cv-alerts-page></cv-alerts-page>`;
    if (area.slug === AREAS.vitals.slug) {
      return html`<cv-vitals-page .account=${this.account}></cv-vitals-page>`;
    }
    if (area.slug === AREAS.appointments.slug) {
      return html`<cv-care-appointments .account=${this.account}></cv-care-appointments>`;
    }
    if (area.slug === AREAS.consultations.slug || area.slug === AREAS.schedule.slug) {
      return html`<cv-care-schedule></cv-care-schedule>`;
    }
    return html`<cv-area .area=${area}></cv-area>`;
  }

  private renderLogo() {
    return html`<svg class="brand__mark" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="8" fill="currentColor"></rect>
      <path d="M16 25s-8-4.6-8-10.4A4.6 4.6 0 0 1 16 12a4.6 4.6 0 0 1 8 2.6C24 20.4 16 25 16 25z" fill="#fff"></path>
    </svg>`;
  }

  private renderHeader() {
    const account = this.account;
    const route = this.route;
    const current = (active: boolean) => (active ? 'page' : nothing);
    if (!account) {
      return html`
        <header class="site-header">
          <div class="site-header__inner">
            <a class="brand" href="/">${this.renderLogo()}<span>${t('app.name')}</span></a>
            <nav class="site-nav site-nav--always" aria-label=${t('nav.account')}>
              <ul role="list">
                <li><a href="/signin" aria-current=${current(route.name === 'signIn')}>${t('nav.signIn')}</a></li>
                <li><a href="/signup" aria-current=${current(route.name === 'signUp')}>${t('nav.signUp')}</a></li>
              </ul>
            </nav>
          </div>
        </header>
      `;
    }
    const accountMenu = html`
      <nav class="account-menu" aria-label=${t('nav.account')}>
        <span class="account-menu__name">${t('nav.signedInAs', { name: account.display_name })}</span>
        ${account.mfa_enrolment_required
          ? nothing
          : html`<a class="account-menu__link" href="/settings/security" aria-current=${current(route.name === 'security')}>
              ${t('nav.security')}
            </a>`}
        <button class="button button--quiet" type="button" @click=${this.onSignOut}>${t('nav.signOut')}</button>
      </nav>
    `;
    if (account.mfa_enrolment_required) {
      // Nothing to navigate to until two-step sign-in is set up; signing out stays possible.
      return html`
        <header class="site-header">
          <div class="site-header__inner">
            <a class="brand" href=${MFA_SETUP_PATH}>${this.renderLogo()}<span>${t('app.name')}</span></a>
            ${accountMenu}
          </div>
        </header>
      `;
    }
    const areas = roleHome(account.role)?.areas ?? [];
    return html`
      <header class="site-header">
        <div class="site-header__inner site-header__inner--signed-in">
          <a class="brand" href="/home">${this.renderLogo()}<span>${t('app.name')}</span></a>
          <button
            class="menu-toggle"
            type="button"
            aria-expanded=${this.menuOpen ? 'true' : 'false'}
            aria-controls="site-nav"
            @click=${() => (this.menuOpen = !this.menuOpen)}
          >
            <span class="menu-toggle__icon" aria-hidden="true"></span>${t('nav.menu')}
          </button>
          ${accountMenu}
          <nav
            id="site-nav"
            class="site-nav ${this.menuOpen ? 'is-open' : ''}"
            aria-label=${t('nav.main')}
            @keydown=${(event: KeyboardEvent) => {
              if (event.key === 'Escape' && this.menuOpen) {
                this.menuOpen = false;
                this.querySelector<HTMLElement>('.menu-toggle')?.focus();
              }
            }}
          >
            <ul role="list">
              <li><a href="/home" aria-current=${current(route.name === 'home')}>${t('nav.home')}</a></li>
              ${areas.map(
                (area) => html`
                  <li>
                    <a href="/${area.slug}" aria-current=${current((route.name === 'area' && route.slug === area.slug) || (route.name === 'space' && area.slug === AREAS.spaces.slug))}>
                      ${t(area.title)}${area.slug === AREAS.monitoring.slug ? html`<cv-alert-badge></cv-alert-badge>` : nothing}
                    </a>
                  </li>
                `,
              )}
            </ul>
          </nav>
        </div>
      </header>
    `;
  }

  override render() {
    return html`
      <a class="skip-link" href="#main" @click=${this.onSkip}>${t('app.skipToContent')}</a>
      ${this.renderHeader()}
      <main id="main" tabindex="-1" aria-busy=${this.ready ? 'false' : 'true'}>
        ${this.startError ? html`<div class="form-error" role="alert">${this.startError}</div>` : nothing}
        ${this.renderPage()}
      </main>
      <footer class="site-footer">
        <p>${t('app.footer')}</p>
      </footer>
    `;
  }
}

customElements.define('cv-app', CareverseApp);

declare global {
  interface HTMLElementTagNameMap {
    'cv-app': CareverseApp;
  }
}
