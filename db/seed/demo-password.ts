// The demo users' password, in a module of its own: the browser tests need it without
// importing the seed (and the services it calls) into every file.
export const DEMO_PASSWORD = 'wanqi-demo'
