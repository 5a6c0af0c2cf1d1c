/**
 * Every reference a reader can follow points at something in the repository:
 * each relative markdown link in README.md and docs/*.md names a file that
 * exists, and each #anchor a heading of that file (as GitHub turns headings
 * into anchors); each README section a message names ("README: Sensors") is
 * a heading; each docs/*.md that code cites exists; and no file cites the
 * notes that never shipped (SPEC.md, DESIGN.md, DEVICESCRIPT.md) or a path
 * outside the repository.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { dirname, join, relative } from "node:path"
import { describe, expect, it } from "vitest"
import { REPO_ROOT } from "./helpers/cli.ts"

const DOCS = join(REPO_ROOT, "docs")
const PAGES = [join(REPO_ROOT, "README.md"), ...readdirSync(DOCS).filter(f => f.endsWith(".md")).map(f => join(DOCS, f))]

/**
 * The text outside code blocks (fenced, or indented after a blank line where
 * no list goes on) and inline code spans, where a link is a link.
 */
function prose(md: string): string {
    const out: string[] = []
    let fence: string | null = null
    let code = false
    let blank = true
    let last = "" // the last line of prose
    for (const line of md.split("\n")) {
        if (fence) {
            if (line.startsWith(fence)) fence = null
            continue
        }
        const open = /^(```|~~~)/.exec(line)
        if (open) {
            fence = open[1]
            continue
        }
        if (!line.trim()) {
            blank = true
            continue
        }
        const inList = /^\s*([-*+]|\d+\.)\s|^\s{2,}\S/.test(last)
        if (/^( {4}|\t)/.test(line) && (code || (blank && !inList))) {
            code = true
            continue
        }
        code = blank = false
        last = line
        out.push(line.replace(/`[^`\n]*`/g, ""))
    }
    return out.join("\n")
}

/** The targets of the inline links `[text](target)` in a page. */
export function linkTargets(md: string): string[] {
    return [...prose(md).matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map(m => m[1])
}

/** GitHub's anchors for a page's headings: lower case, punctuation dropped, each space a hyphen, repeats numbered. */
export function anchors(md: string): Set<string> {
    const seen = new Map<string, number>()
    const out = new Set<string>()
    for (const m of md.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "").matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
        const base = m[1]
            .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
            .toLowerCase()
            .replace(/[^\p{L}\p{M}\p{N}\s_-]/gu, "")
            .replace(/\s/g, "-")
        const n = seen.get(base) ?? 0
        seen.set(base, n + 1)
        out.add(n ? `${base}-${n}` : base)
    }
    return out
}

/** What is wrong with each relative link of `page`, one line each. */
export function brokenLinks(page: string, md = readFileSync(page, "utf8")): string[] {
    const where = relative(REPO_ROOT, page)
    const broken: string[] = []
    for (const target of linkTargets(md)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue // https:, mailto:
        const [path, anchor] = target.split("#", 2)
        const file = path ? join(dirname(page), decodeURIComponent(path)) : page
        if (!existsSync(file)) {
            broken.push(`${where}: ${target}: no file ${relative(REPO_ROOT, file)}`)
            continue
        }
        if (anchor === undefined) continue
        if (!file.endsWith(".md") || statSync(file).isDirectory()) {
            broken.push(`${where}: ${target}: an anchor into a file that is not markdown`)
            continue
        }
        if (!anchors(path ? readFileSync(file, "utf8") : md).has(anchor)) broken.push(`${where}: ${target}: no heading #${anchor} in ${relative(REPO_ROOT, file)}`)
    }
    return broken
}

/** Source files under the folders that hold code, tests and scripts. */
function sources(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap(e => {
        const p = join(dir, e.name)
        if (e.isDirectory()) return e.name === "node_modules" || e.name === "fixtures" ? [] : sources(p)
        return /\.(ts|cjs|js|py|json)$/.test(e.name) ? [p] : []
    })
}

describe("links", () => {
    it("GitHub's anchors: punctuation dropped, code marks dropped, repeats numbered", () => {
        expect([...anchors("# `build` and the code it chooses\n## 3. LSTM cell\n## Notes\n## Notes\n")]).toEqual([
            "build-and-the-code-it-chooses",
            "3-lstm-cell",
            "notes",
            "notes-1",
        ])
    })

    it("reports a missing file and a missing heading, and skips code and web links", () => {
        const page = join(REPO_ROOT, "README.md")
        const md = "[a](docs/nowhere.md) [b](#no-such-heading) [c](https://example.org/x) `[d](gone.md)`\n\n    [e](gone.md)\n\n```\n[g](gone.md)\n```\n# Real heading\n[f](#real-heading)\n- a list\n\n    [h](nested.md)\n"
        expect(brokenLinks(page, md)).toEqual([
            "README.md: docs/nowhere.md: no file docs/nowhere.md",
            "README.md: #no-such-heading: no heading #no-such-heading in README.md",
            "README.md: nested.md: no file nested.md",
        ])
    })

    it.each(PAGES.map(p => [relative(REPO_ROOT, p), p]))("every relative link in %s resolves", (_name, page) => {
        expect(brokenLinks(page)).toEqual([])
    })

    it("README.md links to every page of docs/", () => {
        const linked = new Set(linkTargets(readFileSync(join(REPO_ROOT, "README.md"), "utf8")).map(t => t.split("#")[0]))
        const pages = readdirSync(DOCS).filter(f => f.endsWith(".md"))
        expect(pages.filter(f => !linked.has(`docs/${f}`))).toEqual([])
    })

    it("every README section a message or --help names is a heading of README.md", () => {
        const readme = anchors(readFileSync(join(REPO_ROOT, "README.md"), "utf8"))
        const named = sources(join(REPO_ROOT, "tools", "src")).flatMap(f => [...readFileSync(f, "utf8").matchAll(/README: ([A-Z][\w ]*\w)/g)].map(m => m[1]))
        expect(named.length).toBeGreaterThan(0)
        expect(named.filter(h => !readme.has([...anchors(`# ${h}`)][0]))).toEqual([])
    })

    it("code cites only docs that exist, and none of the notes that never shipped", () => {
        const files = ["src", "tools/src", "tools/test", "tools/scripts", "firmware-tests"].flatMap(d => sources(join(REPO_ROOT, d)))
        const wrong: string[] = []
        for (const f of files) {
            if (f === join(REPO_ROOT, "tools", "test", "links.test.ts")) continue
            const text = readFileSync(f, "utf8")
            for (const m of text.matchAll(/\bdocs\/[\w.-]+\.md\b/g)) if (!existsSync(join(REPO_ROOT, m[0]))) wrong.push(`${relative(REPO_ROOT, f)}: ${m[0]}`)
            for (const m of text.matchAll(/\b(SPEC|DESIGN|DEVICESCRIPT)\.md\b/g)) wrong.push(`${relative(REPO_ROOT, f)}: ${m[0]}`)
            for (const m of text.matchAll(/\/work\/shared\/[\w./-]*/g)) wrong.push(`${relative(REPO_ROOT, f)}: ${m[0]} is outside the repository`)
        }
        expect(wrong).toEqual([])
    })
})
