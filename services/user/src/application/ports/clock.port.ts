/** The current time, replaceable in unit specs. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
