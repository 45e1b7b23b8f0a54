import { html, nothing, type PropertyValues } from 'lit';
import {
  DEVICE_KINDS,
  addDevice,
  devices,
  pairingCode,
  removeDevice,
  type Device,
  type DeviceKind,
  type PairingCode,
} from '../../api/monitoring';
import { describeError } from '../../components/errors';
import { textField } from '../../components/fields';
import { renderLoadFailure, renderLoading } from '../../components/load-state';
import { t, type MessageKey } from '../../i18n';
import { formatTime } from '../../i18n/format';
import { PrivacySection } from '../privacy/section';
import { formatAgo } from './vitals';

const KIND_KEYS: Record<DeviceKind, MessageKey> = {
  wearable: 'device.kind.wearable',
  pulse_oximeter: 'device.kind.pulseOximeter',
  bp_cuff: 'device.kind.bpCuff',
  thermometer: 'device.kind.thermometer',
  scale: 'device.kind.scale',
  glucometer: 'device.kind.glucometer',
  other: 'device.kind.other',
};

function kindText(kind: string): string {
  return kind in KIND_KEYS ? t(KIND_KEYS[kind as DeviceKind]) : kind;
}

const STATUS_KEYS: Record<string, MessageKey> = {
  pending: 'device.status.pending',
  active: 'device.status.active',
  paired: 'device.status.active',
  revoked: 'device.status.revoked',
};

/** A device's name: its label, or its kind when it has none. */
function deviceName(device: Device): string {
  return device.label || kindText(device.kind);
}

function statusText(status: string): string {
  const key = STATUS_KEYS[status];
  return key ? t(key) : status;
}

/**
 * The devices that send a patient's readings: each with its kind and state; adding one and
 * pairing it with a short-lived code typed into the device; removing one, which stops it at once.
 */
export class DeviceList extends PrivacySection {
  static override properties = {
    patientId: { type: String, attribute: 'patient-id' },
    headingLevel: { type: Number, attribute: 'heading-level' },
    devices: { state: true },
    loadError: { state: true },
    kind: { state: true },
    label: { state: true },
    labelError: { state: true },
    codes: { state: true },
    busy: { state: true },
  };

  declare patientId: string;
  declare headingLevel: 2 | 3;
  declare devices: Device[] | null;
  declare loadError: string;
  declare kind: DeviceKind;
  declare label: string;
  declare labelError: string;
  /** Pairing codes shown, by device id. */
  declare codes: Readonly<Record<string, PairingCode>>;
  /** The action in progress: `add`, or a device id. */
  declare busy: string;

  constructor() {
    super();
    this.patientId = '';
    this.headingLevel = 2;
    this.devices = null;
    this.loadError = '';
    this.kind = 'pulse_oximeter';
    this.label = '';
    this.labelError = '';
    this.codes = {};
    this.busy = '';
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('patientId') && this.patientId) void this.load();
  }

  private async load(): Promise<void> {
    this.loadError = '';
    this.devices = null;
    try {
      this.devices = await devices(this.patientId);
    } catch (error) {
      this.loadError = describeError(error);
    }
  }

  private async add(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this.busy) return;
    const label = this.label.trim();
    if (!label) {
      this.labelError = t('device.labelRequired');
      await this.failWith(t('form.errorSummary'));
      await this.focusById('device-label');
      return;
    }
    this.labelError = '';
    this.clearMessages();
    this.busy = 'add';
    try {
      const device = await addDevice(this.patientId, this.kind, label);
      this.devices = [...(this.devices ?? []), device];
      this.label = '';
      this.busy = '';
      await this.pair(device);
    } catch (error) {
      this.busy = '';
      await this.fail(error);
    }
  }

  private pair(device: Device): Promise<void> {
    return this.act(device.id, `pairing-${device.id}`, async () => {
      const code = await pairingCode(device.id);
      this.codes = { ...this.codes, [device.id]: code };
      return t('device.codeNotice', { label: deviceName(device) });
    });
  }

  private removeOne(device: Device): Promise<void> {
    return this.act(device.id, 'devices-title', async () => {
      await removeDevice(device.id);
      this.devices = (this.devices ?? []).filter((d) => d.id !== device.id);
      return t('device.removedNotice', { label: deviceName(device) });
    });
  }

  private renderCode(device: Device) {
    const code = this.codes[device.id];
    if (!code) return nothing;
    return html`
      <div class="pairing" id="pairing-${device.id}" tabindex="-1">
        <p class="pairing__label">${t('device.codeLabel')}</p>
        <p class="pairing__code"><code>${code.code}</code></p>
        <p class="item__meta">${t('device.codeExpires', { time: formatTime(code.expires_at) })}</p>
      </div>
    `;
  }

  private renderDevice(device: Device) {
    const busy = this.busy === device.id;
    return html`
      <li class="item">
        ${
          this.headingLevel === 2
            ? html`<h3 class="item__title">${deviceName(device)}</h3>`
            : html`<h4 class="item__title">${deviceName(device)}</h4>`
        }
        <p class="item__meta">
          ${kindText(device.kind)} · ${statusText(device.status)}
          ${device.last_seen_at ? html` · ${t('device.lastSeen', { ago: formatAgo(device.last_seen_at) })}` : nothing}
        </p>
        ${this.renderCode(device)}
        <div class="actions">
          ${
            device.status === 'pending' || this.codes[device.id]
              ? html`<button
                  class="button button--secondary"
                  type="button"
                  aria-disabled=${busy ? 'true' : 'false'}
                  @click=${() => this.pair(device)}
                >
                  ${this.codes[device.id] ? t('device.newCode') : t('device.getCode', { label: deviceName(device) })}
                </button>`
              : nothing
          }
          <button
            class="button button--quiet"
            type="button"
            aria-disabled=${busy ? 'true' : 'false'}
            @click=${() => this.removeOne(device)}
          >
            ${busy ? t('form.working') : t('device.remove', { label: deviceName(device) })}
          </button>
        </div>
      </li>
    `;
  }

  private renderForm() {
    return html`
      <form class="subform" novalidate @submit=${this.add} aria-labelledby="device-form-title">
        ${
          this.headingLevel === 2
            ? html`<h3 id="device-form-title">${t('device.formTitle')}</h3>`
            : html`<h4 id="device-form-title">${t('device.formTitle')}</h4>`
        }
        <div class="field">
          <label for="device-kind">${t('device.kind')}</label>
          <select
            id="device-kind"
            .value=${this.kind}
            @change=${(e: Event) => (this.kind = (e.target as HTMLSelectElement).value as DeviceKind)}
          >
            ${DEVICE_KINDS.map((kind) => html`<option value=${kind} ?selected=${this.kind === kind}>${kindText(kind)}</option>`)}
          </select>
        </div>
        ${textField({
          id: 'device-label',
          label: t('device.label'),
          hint: t('device.labelHint'),
          value: this.label,
          error: this.labelError || undefined,
          maxlength: 80,
          autocomplete: 'off',
          onInput: (value) => (this.label = value),
        })}
        <div class="actions">
          <button
            class="button button--primary"
            type="submit"
            aria-disabled=${this.busy === 'add' ? 'true' : 'false'}
          >
            ${this.busy === 'add' ? t('form.working') : t('device.add')}
          </button>
        </div>
      </form>
    `;
  }

  private renderBody() {
    if (this.loadError) {
      return renderLoadFailure(this.loadError, this.load);
    }
    if (this.devices === null)
      return renderLoading();
    const current = this.devices.filter((d) => d.status !== 'revoked');
    return html`
      ${this.renderMessages()}
      ${
        current.length === 0
          ? html`<p class="empty">${t('device.empty')}</p>`
          : html`<ul class="item-list" role="list" aria-labelledby="devices-title">
              ${current.map((d) => this.renderDevice(d))}
            </ul>`
      }
      ${this.renderForm()}
    `;
  }

  override render() {
    return html`
      <section class="panel" aria-labelledby="devices-title">
        ${
          this.headingLevel === 2
            ? html`<h2 id="devices-title" tabindex="-1">${t('device.title')}</h2>`
            : html`<h3 id="devices-title" tabindex="-1">${t('device.title')}</h3>`
        }
        <p class="lead">${t('device.intro')}</p>
        ${this.renderBody()}
      </section>
    `;
  }
}

customElements.define('cv-device-list', DeviceList);

declare global {
  interface HTMLElementTagNameMap {
    'cv-device-list': DeviceList;
  }
}
