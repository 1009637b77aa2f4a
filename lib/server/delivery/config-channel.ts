import { EventEmitter } from 'node:events';

/*
 * The signal bus of delivery: PostgreSQL NOTIFY on this channel, payload the network's id,
 * sent by changeNetwork in the transaction that raises the version (so it arrives at
 * commit, on every replica). Inside a process the notification is passed on to whoever waits
 * for that network (the push rounds, the agents' long-polls) through one emitter.
 */
export const configChannel = 'meshplane_config';

const state = globalThis as unknown as { meshplaneConfigBus?: EventEmitter };
/** Events: 'change' (networkId), 'resync' (the listening connection came back: anything may have changed). */
export const configBus: EventEmitter = state.meshplaneConfigBus ??= new EventEmitter().setMaxListeners(0);
