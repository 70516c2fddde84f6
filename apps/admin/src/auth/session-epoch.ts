import type { FastifyRequest } from 'fastify';
import type { UserEntity } from '@oneapi/data';
import type { LoginView } from '../user/user.view';
import { startSession } from './session';

declare module '@fastify/secure-session' {
  interface SessionData {
    /** The user's `session_epoch` when the cookie was issued; another epoch means it has ended. */
    epoch?: number;
  }
}

/** Signs the user in (One API's SetupLogin) under the user's current session epoch. */
export function beginSession(req: FastifyRequest, user: UserEntity, plainPassword?: string): LoginView {
  const view = startSession(req, user, plainPassword);
  req.session.set('epoch', user.sessionEpoch);
  return view;
}

/** Keeps the caller's own session alive across a change that ended every other one. */
export function renewSession(req: FastifyRequest, epoch: number): void {
  req.session.set('epoch', epoch);
}

/** The epoch a cookie was issued under; cookies from before epochs existed count as 0. */
export function sessionEpochOf(req: FastifyRequest): number {
  const epoch = req.session?.get('epoch');
  return typeof epoch === 'number' ? epoch : 0;
}
