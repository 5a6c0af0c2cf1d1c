/**
 * Errors the CLI prints as one line, without a stack trace. Anything else that
 * escapes is a bug in dsrnn and keeps its stack.
 */
export class UserError extends Error {
    constructor(
        message: string,
        readonly exitCode = 1
    ) {
        super(message)
    }
}

/** A layer, op or attribute dsrnn cannot run; exit code 2. */
export class UnsupportedError extends UserError {
    constructor(message: string) {
        super(message, 2)
    }
}
