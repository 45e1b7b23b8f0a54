import { html, nothing } from 'lit';
import { currentAccount, signOut, type Account } from '../api/auth';
import { onEnrolmentRequired, onSessionLost } from '../api/http';
import { setLocale, t } from '../i18n';
import {
  NOT_FOUND,
  areaForRoute,
  currentRoute,
  isCurrent,
  mayShow,
  navLinks,
  navigate,
  onRouteChange,
  pathOf,
  startRouter,
  titleOf,
  type NavEntry,
  type Route,
} from '../router';
import { getAccount, onAccountChange, setAccount, setNotice } from '../session';
import { describeError } from './errors';
import { headerFolded, onHeaderFold } from './header-fold';
import './admission-call';
import './language-picker';
import './alert-badge';
import './notification-bell';
import '../pages/messaging/inbox-page';
import '../pages/messaging/messages-page';
import '../pages/messaging/notifications-page';
import { LightElement } from './light-element';
// The page elements the route table (router.ts) renders.
import '../pages/admin/accounts-page';
import '../pages/admin/audit-page';
import '../pages/admin/system-page';
import '../pages/admin/apps-page';
import '../pages/oauth/consent-page';
import '../pages/area-page';
import '../pages/care/appointments-page';
import '../pages/care/schedule-page';
import '../pages/forgot-password-page';
import '../pages/health/health-page';
import '../pages/home-page';
import '../pages/mfa-setup-page';
import '../pages/monitoring/alerts-page';
import '../pages/community/moderation-queue';
import '../pages/community/moderation-concern';
import '../pages/community/community-list';
import '../pages/community/community-page';
import '../pages/groups/groups-list';
import '../pages/groups/group-page';
import '../pages/gallery/gallery-page';
import '../pages/gallery/submit-work';
import '../pages/gallery/my-works';
import '../pages/gallery/gallery-moderation';
import '../pages/gallery/group-works';
import '../pages/training/training-page';
import '../pages/training/lab-page';
import '../pages/training/debrief-page';
import '../pages/training/author-page';
import '../pages/training/lessons-page';
import '../pages/mentoring/mentoring-page';
import '../pages/mentoring/apply-page';
import '../pages/mentoring/relationship-page';
import '../pages/mentoring/organise-page';
import '../pages/volunteering/volunteering-list';
import '../pages/volunteering/new-page';
import '../pages/volunteering/my-page';
import '../pages/volunteering/opportunity-page';
import '../pages/events/events-list';
import '../pages/events/event-page';
import '../pages/events/event-create';
import '../pages/community/thread-page';
import '../pages/community/community-moderation';
import '../pages/monitoring/monitoring-page';
import '../pages/monitoring/vitals-page';
import '../pages/wellbeing/wellbeing-page';
import '../pages/wellbeing/exposure-page';
import '../pages/wellbeing/exposure-therapist';
import '../pages/wellbeing/breathing-page';
import '../pages/wellbeing/selfhelp-page';
import '../pages/not-found-page';
import '../pages/patients/patient-record';
import '../pages/patients/patients-page';
import '../pages/care/programmes-page';
import '../pages/people/people-page';
import '../pages/privacy/privacy-page';
import '../pages/reset-password-page';
import '../pages/security-page';
import '../pages/space-page';
import '../pages/spaces-page';
import '../pages/sign-in-page';
import '../pages/sign-up-page';

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
    folded: { state: true },
  };

  declare account: Account | null;
  declare route: Route;
  declare ready: boolean;
  declare menuOpen: boolean;
  declare startError: string;
  /** The header folded away in a space (the space page has the toggle). */
  declare folded: boolean;

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
    this.folded = headerFolded();
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
      onHeaderFold((folded) => (this.folded = folded)),
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

  /** Where `route` must send the visitor instead, if anywhere (the route table's rules). */
  private redirectFor(route: Route): string | null {
    const account = getAccount();
    const { entry } = route;
    // An account that must set up two-step sign-in first is kept on that screen: the server
    // refuses it everything else anyway.
    if (account?.mfa_enrolment_required && !entry.enrolment && entry.audience !== 'open') {
      return pathOf('mfaSetup');
    }
    const own = entry.redirect?.(account);
    if (own) return own;
    if (entry.audience === 'signedOut' && account) return pathOf('home');
    if (entry.audience === 'signedIn' && !account) {
      const signIn = pathOf('signIn');
      // Home is where signing in lands anyway.
      if (entry.name === 'home') return signIn;
      return `${signIn}?next=${encodeURIComponent(location.pathname + location.search)}`;
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
    navigate(`${pathOf('signIn')}?next=${encodeURIComponent(here)}`, { replace: true });
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
    navigate(pathOf('signIn'));
  }

  private onSkip(event: Event): void {
    event.preventDefault();
    const main = this.querySelector<HTMLElement>('#main');
    main?.focus();
    main?.scrollIntoView();
  }

  private pageTitle(): string {
    return t(titleOf(this.route, this.account));
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
    const account = this.account;
    // An area the account's role does not have is not found, as if it did not exist.
    const entry = mayShow(route, account) ? route.entry : NOT_FOUND;
    return entry.page({ account, params: route.params, area: areaForRoute(route, account) });
  }

  private renderLogo() {
    return html`<svg class="brand__mark" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="8" fill="currentColor"></rect>
      <path d="M16 25s-8-4.6-8-10.4A4.6 4.6 0 0 1 16 12a4.6 4.6 0 0 1 8 2.6C24 20.4 16 25 16 25z" fill="#fff"></path>
    </svg>`;
  }

  /** One menu's links from the route table, the current page marked. */
  private renderLinks(menu: NavEntry['menu'], className = '') {
    return navLinks(menu, this.account).map(
      (link) => html`<a class=${className || nothing} href=${link.href} aria-current=${isCurrent(this.route, link.href) ? 'page' : nothing}>
        ${t(link.label)}${link.badge ? link.badge() : nothing}
      </a>`,
    );
  }

  private renderHeader() {
    const account = this.account;
    if (!account) {
      return html`
        <header class="site-header">
          <div class="site-header__inner">
            <a class="brand" href=${pathOf('root')}>${this.renderLogo()}<span>${t('app.name')}</span></a>
            <nav class="site-nav site-nav--always" aria-label=${t('nav.account')}>
              <ul role="list">
                ${this.renderLinks('signedOut').map((link) => html`<li>${link}</li>`)}
              </ul>
            </nav>
          </div>
        </header>
      `;
    }
    const accountMenu = html`
      <nav class="account-menu" aria-label=${t('nav.account')}>
        <span class="account-menu__name">${t('nav.signedInAs', { name: account.display_name })}</span>
        ${account.mfa_enrolment_required ? nothing : this.renderLinks('account', 'account-menu__link')}
        <button class="button button--quiet" type="button" @click=${this.onSignOut}>${t('nav.signOut')}</button>
      </nav>
    `;
    if (account.mfa_enrolment_required) {
      // Nothing to navigate to until two-step sign-in is set up; signing out stays possible.
      return html`
        <header class="site-header">
          <div class="site-header__inner">
            <a class="brand" href=${pathOf('mfaSetup')}>${this.renderLogo()}<span>${t('app.name')}</span></a>
            ${accountMenu}
          </div>
        </header>
      `;
    }
    // In a space the header can fold away (the space page's toggle), giving the world the screen.
    const world = this.route.name === 'space';
    return html`
      <header id="site-header" class="site-header ${world ? 'site-header--world' : ''}" ?hidden=${world && this.folded}>
        <div class="site-header__inner site-header__inner--signed-in ${this.menuOpen ? 'is-menu-open' : ''}">
          <a class="brand" href=${pathOf('home')}>${this.renderLogo()}<span>${t('app.name')}</span></a>
          <cv-notification-bell></cv-notification-bell>
          <button
            class="menu-toggle"
            type="button"
            aria-expanded=${this.menuOpen ? 'true' : 'false'}
            aria-controls="site-menu"
            @click=${() => (this.menuOpen = !this.menuOpen)}
          >
            <span class="menu-toggle__icon" aria-hidden="true"></span>${t('nav.menu')}
          </button>
          <div
            id="site-menu"
            class="site-menu"
            @keydown=${(event: KeyboardEvent) => {
              if (event.key === 'Escape' && this.menuOpen) {
                this.menuOpen = false;
                this.querySelector<HTMLElement>('.menu-toggle')?.focus();
              }
            }}
          >
            ${accountMenu}
            <nav id="site-nav" class="site-nav" aria-label=${t('nav.main')}>
              <ul role="list">
                ${this.renderLinks('main').map((link) => html`<li>${link}</li>`)}
              </ul>
            </nav>
          </div>
        </div>
      </header>
    `;
  }

  override render() {
    return html`
      <a class="skip-link" href="#main" @click=${this.onSkip}>${t('app.skipToContent')}</a>
      ${this.renderHeader()}
      <main
        id="main"
        class=${this.route.name === 'space' ? 'main--world' : nothing}
        tabindex="-1"
        aria-busy=${this.ready ? 'false' : 'true'}
      >
        ${this.startError ? html`<div class="form-error" role="alert">${this.startError}</div>` : nothing}
        ${this.renderPage()}
      </main>
      <footer class="site-footer">
        <p>${t('app.footer')}</p>
        <cv-language-picker></cv-language-picker>
      </footer>
      ${this.account ? html`<cv-admission-call></cv-admission-call>` : nothing}
    `;
  }
}

customElements.define('cv-app', CareverseApp);

declare global {
  interface HTMLElementTagNameMap {
    'cv-app': CareverseApp;
  }
}
