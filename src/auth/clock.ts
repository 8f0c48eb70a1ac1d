/** The time source of the auth service, in milliseconds since the epoch; tests pass a clock they can move. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();
