/** What the space's events and a closed connection mean, in words for the person. */
import { t } from '../i18n';
import type { EventMessage } from './connection';
import type { WorldState } from './world-state';

/** The announcement for a room event (muted, away, locked, …), or '' for none. */
export function eventAnnouncement(event: EventMessage, state: WorldState): string {
  const person = event.target ? state.people.get(event.target) : undefined;
  const isMe = event.target === state.you;
  const name = person?.name ?? '';
  switch (event.kind) {
    case 'muted':
      return isMe ? t('world.announce.youMuted') : t('world.announce.muted', { name });
    case 'unmuted':
      return isMe ? t('world.announce.youUnmuted') : t('world.announce.unmuted', { name });
    case 'away':
      return name ? t('world.announce.away', { name }) : '';
    case 'back':
      return name ? t('world.announce.back', { name }) : '';
    case 'removed':
      return isMe ? '' : t('world.announce.removed', { name: name || t('world.chat.someone') });
    case 'locked':
      return t('world.announce.locked');
    case 'unlocked':
      return t('world.announce.unlocked');
    case 'ended':
      return event.detail || t('world.closed.ended');
    default:
      return '';
  }
}

/** Why the connection closed, by its close code (for an ended session, the server's own
 * plain-language reason: "The clinician ended the visit." is not a facilitator's doing). */
export function closedMessage(code: number, reason = ''): string {
  if (code === 4001 && reason) return reason;
  const messages: Record<number, string> = {
    4000: t('world.closed.removed'),
    4001: t('world.closed.ended'),
    4002: t('world.closed.uninvited'),
    4010: t('world.closed.replaced'),
    4401: t('world.closed.signedOut'),
    4403: t('world.closed.forbidden'),
    4404: t('world.space.notFound'),
  };
  return messages[code] ?? t('world.closed.other');
}
