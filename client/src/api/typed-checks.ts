/**
 * Compile-time checks of ./typed: `tsc --noEmit` (the build) fails if the wrapper stops catching
 * these mistakes. Never imported, so never bundled.
 */
import { api, apiUrl, type Answer, type Schema } from './typed';

export async function typedCallChecks(id: string): Promise<void> {
  // A path template with its parameters, query and answer typed from the schema.
  const appointment: Schema<'AppointmentOut'> = await api.get(
    '/api/care/appointments/{appointment_id}',
    { path: { appointment_id: id }, query: { tz: 'UTC' } },
  );
  void appointment;
  // 204 No Content answers void.
  const none: void = await api.post('/api/care/encounters/{encounter_id}/finish', {
    path: { encounter_id: id },
  });
  void none;
  const answer: Answer<'/api/monitoring/panel', 'get'> = await api.get('/api/monitoring/panel');
  void answer.patients;
  void apiUrl('/api/care/appointments/{appointment_id}/calendar.ics', {
    path: { appointment_id: id },
  });

  // @ts-expect-error: no such endpoint.
  await api.get('/api/care/appointment');
  // @ts-expect-error: the endpoint has no GET.
  await api.get('/api/auth/session');
  // @ts-expect-error: its path parameter is required.
  await api.get('/api/care/appointments/{appointment_id}');
  // @ts-expect-error: a path parameter of another name.
  await api.get('/api/spaces/{space_id}', { path: { id } });
  // @ts-expect-error: its body is required.
  await api.post('/api/auth/session');
  // @ts-expect-error: a body field of the wrong type.
  await api.post('/api/care/encounters/{encounter_id}/chat', { path: { encounter_id: id }, body: { body: 1 } });
  // @ts-expect-error: a query parameter the endpoint does not take.
  await api.get('/api/care/queue', { query: { zone: 'UTC' } });
  // @ts-expect-error: a required query parameter (`code`) is missing.
  await api.get('/api/monitoring/patients/{patient_id}/vitals', { path: { patient_id: id }, query: {} });
  // @ts-expect-error: the endpoint takes no body.
  await api.get('/api/me', { body: {} });
  // @ts-expect-error: the answer has no such field.
  void (await api.get('/api/me')).name;
}
