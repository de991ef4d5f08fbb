// Withings' own calls to an app (the callback's HEAD check, each notification) must end by a
// deadline. The deadline is kept by a timer of its own rather than by the request's signal alone:
// fetch copies a Request it is given, and the copy follows the original's signal through a weak
// reference that a garbage collection can drop (nodejs/undici#4068), after which the call runs
// past its deadline for as long as the app takes to answer.

export type OutgoingFetch = (request: Request) => Promise<Response>

export class DeadlinePassed extends Error {
  override name = 'DeadlinePassed'
}

/** The app's answer, its body let go; DeadlinePassed once `deadlineMs` have gone by first. */
export async function callWithDeadline(
  fetch: OutgoingFetch,
  url: string | URL,
  init: Omit<RequestInit, 'signal'>,
  deadlineMs: number,
): Promise<Response> {
  const controller = new AbortController()
  let timer: ReturnType<typeof setTimeout> | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new DeadlinePassed(`no answer within ${deadlineMs} ms`))
      controller.abort()
    }, deadlineMs)
  })
  try {
    const response = await Promise.race([
      fetch(new Request(url, { ...init, signal: controller.signal })),
      deadline,
    ])
    await response.body?.cancel().catch(() => undefined)
    return response
  } finally {
    clearTimeout(timer)
  }
}
