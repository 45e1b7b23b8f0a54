/** Parts of the space page's screen that need nothing but what they are given. */
import { html, nothing } from 'lit';
import { t } from '../../i18n';
import type { ConnectionState } from '../../world/connection';

/** Where the connection stands, with "Retry now" while it waits to reconnect. */
export function renderConnection(link: ConnectionState, retry: () => void) {
  switch (link.kind) {
    case 'connecting':
      return html`<span class="world-status world-status--busy">${t('world.status.connecting')}</span>`;
    case 'open':
      return html`<span class="world-status world-status--ok">${t('world.status.connected')}</span>`;
    case 'reconnecting':
      return html`<span class="world-status world-status--warn">
          ${t('world.status.reconnecting', { count: link.inSeconds })}
        </span>
        <button class="button button--quiet" type="button" @click=${retry}>
          ${t('world.status.retry')}
        </button>`;
    case 'closed':
      return html`<span class="world-status world-status--warn">${t('world.status.closed')}</span>`;
    default:
      return nothing;
  }
}

/**
 * The 3D view's frame: the canvas (an application region the keyboard drives, with its keys
 * described), the touch joystick, "walking to …" with Stop, and the slot for the VR button.
 */
export function renderStage3d(o: {
  spaceName: string;
  loading: boolean;
  walkingTo: string;
  stop: () => void;
}) {
  return html`
    <div class="world-stage">
      <div
        class="world-viewport"
        tabindex="0"
        role="application"
        aria-label=${t('world.view3d.label', { space: o.spaceName })}
        aria-describedby="world-keys"
      >
        <div class="world-canvas-host"></div>
        <div class="world-joystick" aria-hidden="true"><div class="world-joystick__knob"></div></div>
      </div>
      ${o.loading ? html`<p class="loading" role="status">${t('world.scene.loading')}</p>` : nothing}
      <p id="world-keys" class="field-hint">${t('world.view3d.keys')}</p>
      ${o.walkingTo
        ? html`<p class="world-walking">
            ${t('world.view2d.walking', { name: o.walkingTo })}
            <button class="button button--quiet" type="button" @click=${o.stop}>
              ${t('world.view2d.stop')}
            </button>
          </p>`
        : nothing}
      <div class="world-vr-slot"></div>
    </div>
  `;
}

/** The notices above the stage: why the connection closed, why 3D failed, spectator, locked. */
export function renderNotices(o: { closed: string; sceneError: string; notices: string[]; locked: boolean }) {
  return html`
    ${o.closed ? html`<div class="form-error" role="alert">${o.closed}</div>` : nothing}
    ${o.sceneError ? html`<div class="world-notice" role="status">${o.sceneError}</div>` : nothing}
    ${o.notices.map((notice) => html`<div class="world-notice" role="status">${notice}</div>`)}
    ${o.locked ? html`<div class="world-notice">${t('world.notice.locked')}</div>` : nothing}
  `;
}
