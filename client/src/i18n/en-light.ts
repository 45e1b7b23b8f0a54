/** English messages of the light path: the installable app and its offline notice (spread into en.ts). */
const light = {
  'pwa.offline': 'You are offline. Careverse will carry on when the connection is back; nothing you see here is saved until then.',
} as const;

export default light;
