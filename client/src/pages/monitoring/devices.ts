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
import { textField } from '../../components/fields';
import { FormController } from '../../controllers/form';
import { LoadingController } from '../../controllers/loading';
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
    codes: { state: true },
  };

  declare patientId: string;
  declare headingLevel: 2 | 3;
  /** Pairing codes shown, by device id. */
  declare codes: Readonly<Record<string, PairingCode>>;

  private devices = new LoadingController(this, () => devices(this.patientId), { auto: false });

  /** Adding a device; its action is `add` in the section's `busy` (else a device id). */
  private form = new FormController<{ kind: DeviceKind; label: string }>(this, {
    values: { kind: 'pulse_oximeter', label: '' },
    ids: { label: 'device-label' },
    feedback: this.feedback,
    action: 'add',
  });

  constructor() {
    super();
    this.patientId = '';
    this.headingLevel = 2;
    this.codes = {};
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('patientId') && this.patientId) void this.devices.load();
  }

  private async add(event: SubmitEvent): Promise<void> {
    const form = this.form;
    const { kind } = form.values;
    const label = form.values.label.trim();
    const sent = await form.submit(event, {
      validate: () => (label ? {} : { label: t('device.labelRequired') }),
      send: () => addDevice(this.patientId, kind, label),
    });
    if (!sent) return;
    const device = sent.result;
    this.devices.value = [...(this.devices.value ?? []), device];
    form.reset('label');
    await this.pair(device);
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
      this.devices.value = (this.devices.value ?? []).filter((d) => d.id !== device.id);
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
    const form = this.form;
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
            .value=${form.values.kind}
            @change=${(e: Event) => form.set('kind', (e.target as HTMLSelectElement).value as DeviceKind)}
          >
            ${DEVICE_KINDS.map((kind) => html`<option value=${kind} ?selected=${form.values.kind === kind}>${kindText(kind)}</option>`)}
          </select>
        </div>
        ${textField({
          ...form.field('label'),
          label: t('device.label'),
          hint: t('device.labelHint'),
          maxlength: 80,
          autocomplete: 'off',
        })}
        <div class="actions">
          <button
            class="button button--primary"
            type="submit"
            aria-disabled=${form.submitting ? 'true' : 'false'}
          >
            ${form.submitting ? t('form.working') : t('device.add')}
          </button>
        </div>
      </form>
    `;
  }

  private renderBody(list: Device[]) {
    const current = list.filter((d) => d.status !== 'revoked');
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
        ${this.devices.render((list) => this.renderBody(list))}
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
