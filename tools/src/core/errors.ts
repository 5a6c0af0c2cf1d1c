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

    /** Puts where the error happened (a file, a node) in front of the message. */
    within(where: string): this {
        this.message = `${where}: ${this.message}`
        return this
    }
}

/** A layer, op or attribute dsrnn cannot run; exit code 2. */
export class UnsupportedError extends UserError {
    constructor(message: string) {
        super(message, 2)
    }
}

/** The most characters of one value from a user's file that a message echoes. */
const QUOTE_CHARS = 40

/**
 * A value read from a user's file, as an error message shows it: JSON-like,
 * on one line and at most about QUOTE_CHARS characters. It never recurses
 * deeper than it prints, so an array nested 100,000 deep or a 5 KB string
 * cannot blow the stack or the message up.
 */
export function quote(value: unknown, max = QUOTE_CHARS): string {
    let out = ""
    const put = (s: string) => {
        out += s
        return out.length <= max
    }
    const walk = (v: unknown): boolean => {
        if (typeof v === "string") return put(JSON.stringify(v.length > max ? v.slice(0, max + 1) : v))
        if (typeof v === "number" || typeof v === "boolean" || v === null || v === undefined) return put(String(v))
        if (Array.isArray(v)) {
            if (!put("[")) return false
            for (let i = 0; i < v.length; i++) if (!(i === 0 || put(",")) || !walk(v[i])) return false
            return put("]")
        }
        if (typeof v === "object") {
            if (!put("{")) return false
            const keys = Object.keys(v)
            for (let i = 0; i < keys.length; i++)
                if (!(i === 0 || put(",")) || !put(`${JSON.stringify(keys[i].slice(0, max + 1))}:`) || !walk((v as Record<string, unknown>)[keys[i]])) return false
            return put("}")
        }
        return put(typeof v)
    }
    walk(value)
    return clip(out, max)
}

/** Text from a user's file (a name, an op type) on one line and at most `max` characters. */
export function clip(text: string, max = QUOTE_CHARS): string {
    const line = text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, " ")
    return line.length <= max ? line : `${line.slice(0, max - 1)}…`
}
