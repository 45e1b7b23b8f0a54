/**
 * The lab's bedside: "Examine" and "Ask how they feel". The findings come with every lab
 * message (`bedside`, derived on the server from the vitals and ACVPU in
 * training/findings.py) and are said here through t(); they follow the patient while shown.
 */
import { html, nothing } from 'lit';
import { t, type MessageKey } from '../../i18n';
import type { LabMessage } from '../../world/connection';

export type BedsideView = 'examine' | 'ask' | '';

interface Finding {
  key: string;
  params?: Record<string, string | number>;
}

function say(finding: Finding | undefined): string {
  return finding?.key.startsWith('lab.find.') ? t(finding.key as MessageKey, finding.params ?? {}) : '';
}

/** The findings' lines for what was chosen (none without a scenario). */
export function bedsideLines(lab: LabMessage | null, view: BedsideView): string[] {
  const bedside = lab?.bedside;
  if (!bedside || !view) return [];
  if (view === 'ask') return [t('lab.askedYou'), say(bedside.ask)];
  return bedside.examine.map(say);
}

export function renderBedside(lab: LabMessage | null, view: BedsideView, choose: (view: BedsideView) => void) {
  const lines = bedsideLines(lab, view);
  const off = !lab?.bedside || lab.status === 'ended';
  return html`
    <section class="lab-bedside" aria-labelledby="lab-bedside-heading">
      <h2 id="lab-bedside-heading">${t('lab.bedside')}</h2>
      <div class="lab-controls">
        <button type="button" data-bedside="examine" ?disabled=${off} @click=${() => choose('examine')}>
          ${t('lab.examine')}
        </button>
        <button type="button" data-bedside="ask" ?disabled=${off} @click=${() => choose('ask')}>
          ${t('lab.ask')}
        </button>
      </div>
      <div class="lab-findings" role="status" aria-live="polite">
        ${off && !lines.length ? html`<p>${t('lab.bedsideNone')}</p>` : nothing}
        ${lines.length ? html`<ul>${lines.map((line) => html`<li>${line}</li>`)}</ul>` : nothing}
      </div>
    </section>
  `;
}
