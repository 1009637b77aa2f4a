export * from './users';
export * from './projects';
export * from './networks';
export * from './pushes';
export * from './invitations';
export * from './join-keys';
