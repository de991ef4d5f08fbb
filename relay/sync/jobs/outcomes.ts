// What a job handler throws to say what happens to its job next (the worker settles it): any
// other error is a failure retried with the queue's backoff.

/** The job should wait that long before running again (Withings or the budget said so). */
export class Defer extends Error {
  constructor(readonly seconds: number) {
    super(`Deferred by ${seconds} s.`)
    this.name = 'Defer'
  }
}

/** Nothing to do any more (no connection, or Withings refused it): the job ends. */
export class Drop extends Error {
  constructor(readonly reason: string) {
    super(reason)
    this.name = 'Drop'
  }
}

/** A failure retried after `delaySeconds` (the handler's own schedule), described by `reason`. */
export class Retry extends Error {
  constructor(
    readonly reason: string,
    readonly delaySeconds: number,
  ) {
    super(reason)
    this.name = 'Retry'
  }
}

/** The job's lease lapsed and another worker may hold it now: this run stops where it is. */
export class LeaseLost extends Error {
  constructor() {
    super('The job was taken back from this worker.')
    this.name = 'LeaseLost'
  }
}
