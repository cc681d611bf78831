/*
 * covgap._speedups: the hot loops of covgap in C (CPython C API, no other library).
 *
 * Why: a monorepo's LCOV tracefile has millions of DA lines, and the target is
 * to read ~68 MB of it more than ten times faster than `lcov --summary` (~8.7 s).
 * A Python loop over the lines alone takes longer than that budget, so the parser of
 * the common LCOV grammar lives here. The pure-Python code in covgap/formats/lcov.py
 * and covgap/model.py is the reference: the tests run both and compare.
 *
 * What is here:
 *
 *   parse_lcov(data, first_lineno, final, Function)
 *       -> (records, consumed_bytes, consumed_lines, fallback)
 *     Parse the complete LCOV records in `data` (whole lines). A record is the tuple
 *     documented in lcov.py (`_Record`). `consumed_*` say where the first unfinished
 *     record starts; `fallback` is True when a record uses the one form left to
 *     Python (lcov 2.x named branches, numbered per file), which parses from there.
 *     Malformed input raises ParseError(lineno, message), with the same message the
 *     Python parser gives.
 *
 *   merge_counts(lines_a, hits_a, lines_b, hits_b) -> (array('i'), array('q'))
 *     Merge two sorted, unique line columns, summing hits; sums saturate at 2**63-1.
 *
 *   uncovered_ranges(lines, hits) -> list[tuple[int, int]]
 *     Exactly covgap.model.uncovered_ranges.
 *
 *   merge_branches(8 columns) / merge_functions(a, b, Function)
 *     The branch and function halves of FileCoverage.merge, same semantics.
 *
 *   format_lcov_data(lines, hits, br_line, br_block, br_branch, br_taken)
 *   format_lcov_functions(functions)
 *     The BRDA, DA, FN and FNDA lines lcov.write emits for one file.
 *
 *   shuffle_column(column, delta) -> bytes
 *   unshuffle_column(typecode, data, delta) -> array
 *     The history codec's column packing (covgap/history/codec.py `_pack`/`_unpack`):
 *     optionally delta-encode an array('b'/'h'/'i'/'q') and regroup its little-endian
 *     bytes by position (all first bytes, then all second bytes, ...), and back. One
 *     pass each instead of Python-level `map`/`accumulate` over millions of ints.
 *     Overflow raises OverflowError, as the reference's `array(...)` does.
 *   gather_suite(files) -> (counts, lines, hits, br_line, ..., fn_hits) or None
 *     The codec's `_encode_suite` columns of a whole suite in one call (the per-file
 *     Python loop gathering them cost ~0.5 s at 10,000 files): every column already
 *     delta-encoded where it is line numbers and shuffled, as shuffle_column would.
 *   parse_gocover(data, max_spanned) -> (mode, files, covered, total) or None
 *     The Go coverprofile reader's common case, lines derived from blocks as
 *     gocover.py does; None hands anything unusual to the Python parser.
 *
 *   count_positive(column) -> int
 *     How many values of an array('q') are > 0: covered lines, taken branches.
 *     (array.count boxes every element into a Python int: 50 ms per million.)
 *
 *   span_records(lines, hits, items, functions, cls) -> list of cls
 *     The gap analysis's per-span records of one file (covgap/analysis/gaps.py):
 *     with `functions` true, `items` are source FunctionInfo and the result is
 *     FunctionGap(name, start, end, complexity, total, covered, ranges) for each that
 *     is not a test; else `items` are ErrorPath and the result is
 *     ErrorPathStatus(kind, start, end, ran). Counts as gaps._lines_in does (a span
 *     ending before it starts has a negative total, all of it "covered"); `cls` is the
 *     named tuple, built directly (its Python __new__ was most of the time: tens of
 *     spans per file, issue 14). gaps.LineSpans is the reference.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINE 2147483647LL
#define NEVER_EVALUATED (-1LL)

static PyObject *ParseError = NULL;
static PyObject *array_type = NULL;

/* -- small helpers ------------------------------------------------------------------- */

static long long
sat_add(long long a, long long b)
{
    long long s;
    if (__builtin_add_overflow(a, b, &s))
        return a > 0 ? LLONG_MAX : LLONG_MIN;
    return s;
}

static PyObject *
make_array(const char *typecode, const void *data, Py_ssize_t nbytes)
{
    PyObject *bytes = PyBytes_FromStringAndSize((const char *)data, nbytes);
    if (bytes == NULL)
        return NULL;
    PyObject *arr = PyObject_CallFunction(array_type, "sO", typecode, bytes);
    Py_DECREF(bytes);
    return arr;
}

/* Raise ParseError(lineno, message) and return NULL. */
static void *
parse_error(Py_ssize_t lineno, PyObject *message)
{
    if (message == NULL)
        return NULL;
    PyObject *args = Py_BuildValue("(nN)", lineno, message);
    if (args != NULL) {
        PyErr_SetObject(ParseError, args);
        Py_DECREF(args);
    }
    return NULL;
}

#define FAIL(...) return (parse_error(lineno, PyUnicode_FromFormat(__VA_ARGS__)), -1)

enum { NUM_OK, NUM_BAD, NUM_NEG, NUM_BIG };

/* Digits only, as Python's bytes.isdigit(); "-<digits>" is NUM_NEG. */
static int
parse_num(const char *p, const char *e, long long *out)
{
    int neg = 0, big = 0;
    unsigned long long v = 0;
    if (p < e && *p == '-') {
        neg = 1;
        p++;
    }
    if (p == e)
        return NUM_BAD;
    for (; p < e; p++) {
        unsigned d = (unsigned char)*p - (unsigned)'0';
        if (d > 9)
            return NUM_BAD;
        if (!big) {
            v = v * 10 + d;
            if (v > (unsigned long long)LLONG_MAX)
                big = 1;
        }
    }
    if (neg)
        return NUM_NEG;
    if (big)
        return NUM_BIG;
    *out = (long long)v;
    return NUM_OK;
}

/* A count: 0..2**63-1 (lcov.py _uint). */
static int
get_count(const char *p, const char *e, const char *tag, const char *what,
          Py_ssize_t lineno, long long *out)
{
    switch (parse_num(p, e, out)) {
    case NUM_OK:
        return 0;
    case NUM_NEG:
        FAIL("%s: negative %s", tag, what);
    case NUM_BIG:
        FAIL("%s: %s exceeds 2**63-1", tag, what);
    default:
        FAIL("%s: %s is not a non-negative integer", tag, what);
    }
}

/* A source line: 1..2**31-1 (lcov.py _lineno_field). */
static int
get_line(const char *p, const char *e, const char *tag, const char *what,
         Py_ssize_t lineno, long long *out)
{
    int r = parse_num(p, e, out);
    if (r == NUM_BAD)
        FAIL("%s: %s is not a non-negative integer", tag, what);
    if (r != NUM_OK || *out < 1 || *out > MAX_LINE)
        FAIL("%s: %s out of range 1..2147483647", tag, what);
    return 0;
}

/* A function's line: 0..2**31-1 (lcov.py _lineno_field with lowest=0; gcovr's
   merge-use-line-0 writes FN:0,<name>). */
static int
get_fn_line(const char *p, const char *e, const char *tag, const char *what,
            Py_ssize_t lineno, long long *out)
{
    int r = parse_num(p, e, out);
    if (r == NUM_BAD)
        FAIL("%s: %s is not a non-negative integer", tag, what);
    if (r != NUM_OK || *out < 0 || *out > MAX_LINE)
        FAIL("%s: %s out of range 0..2147483647", tag, what);
    return 0;
}

/* A block or branch number: 0..2**31-1 (lcov.py _small_int). */
static int
get_small(const char *p, const char *e, const char *tag, const char *what,
          Py_ssize_t lineno, long long *out)
{
    int r = parse_num(p, e, out);
    if (r == NUM_BAD)
        FAIL("%s: %s is not a non-negative integer", tag, what);
    if (r == NUM_NEG)
        FAIL("%s: negative %s", tag, what);
    if (r == NUM_BIG || *out > MAX_LINE)
        FAIL("%s: %s out of range 0..2147483647", tag, what);
    return 0;
}

static PyObject *
decode_text(const char *p, const char *e)
{
    return PyUnicode_DecodeUTF8(p, e - p, "surrogateescape");
}

static int
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\x0b' || c == '\x0c';
}

/* lcov.py _unknown: name the record type when it looks like one. */
static int
unknown_line(const char *p, const char *e, Py_ssize_t lineno)
{
    const char *colon = memchr(p, ':', e - p);
    const char *te = colon ? colon : e;
    Py_ssize_t n = te - p;
    int ok = n >= 1 && n <= 20;
    for (Py_ssize_t i = 0; ok && i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        int alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
        if (!(alpha || (i > 0 && c >= '0' && c <= '9')))
            ok = 0;
    }
    if (ok) {
        PyObject *tag = PyUnicode_FromStringAndSize(p, n);
        if (tag == NULL)
            return -1;
        parse_error(lineno, PyUnicode_FromFormat("unknown record type %U", tag));
        Py_DECREF(tag);
        return -1;
    }
    FAIL("not an LCOV line (binary data?)");
}

/* -- per-record state ---------------------------------------------------------------- */

typedef struct {
    long long hits;
    int line;
} LineHit;

typedef struct {
    int line, block, branch;
    long long taken;
} BranchHit;

typedef struct {
    long long start, end, hits; /* end 0 = unknown */
} FuncEntry;

typedef struct { /* an lcov 2.3 FNL:<index>,<line>[,<end>]; its FNA aliases are functions */
    long long idx, start, end;
    int named; /* an FNA alias followed */
} FnlEntry;

typedef struct {
    LineHit *lines;
    Py_ssize_t n_lines, cap_lines;
    int lines_sorted;
    BranchHit *br;
    Py_ssize_t n_br, cap_br;
    int br_sorted;
    FuncEntry *fn;
    Py_ssize_t n_fn, cap_fn;
    PyObject *fn_index; /* dict: name -> int index into fn */
    PyObject *fn_names; /* list of names, in order of first FN */
    FnlEntry *fnl;
    Py_ssize_t n_fnl, cap_fnl;
    PyObject *fnl_index; /* dict: FNL index -> position in fnl; made on first FNL */
    Py_ssize_t fnda_cursor; /* the function the next FNDA probably names (FN order) */
    PyObject *path;
    Py_ssize_t sf_line;
    long long declared[6];
} Record;

static int
grow(void **buf, Py_ssize_t *cap, Py_ssize_t need, size_t item)
{
    if (need <= *cap)
        return 0;
    Py_ssize_t cap2 = *cap ? *cap * 2 : 256;
    while (cap2 < need)
        cap2 *= 2;
    void *nb = PyMem_Realloc(*buf, (size_t)cap2 * item);
    if (nb == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    *buf = nb;
    *cap = cap2;
    return 0;
}

static void
record_clear(Record *r)
{
    r->n_lines = r->n_br = r->n_fn = r->n_fnl = r->fnda_cursor = 0;
    r->lines_sorted = r->br_sorted = 1;
    Py_CLEAR(r->fnl_index);
    Py_CLEAR(r->fn_index);
    Py_CLEAR(r->fn_names);
    Py_CLEAR(r->path);
    for (int i = 0; i < 6; i++)
        r->declared[i] = -1;
}

static void
record_free(Record *r)
{
    record_clear(r);
    PyMem_Free(r->lines);
    PyMem_Free(r->br);
    PyMem_Free(r->fn);
    PyMem_Free(r->fnl);
}

static int
cmp_line(const void *a, const void *b)
{
    int x = ((const LineHit *)a)->line, y = ((const LineHit *)b)->line;
    return (x > y) - (x < y);
}

static int
br_less(const BranchHit *a, const BranchHit *b)
{
    if (a->line != b->line)
        return a->line < b->line;
    if (a->block != b->block)
        return a->block < b->block;
    return a->branch < b->branch;
}

static int
cmp_branch(const void *a, const void *b)
{
    const BranchHit *x = a, *y = b;
    return br_less(x, y) ? -1 : (br_less(y, x) ? 1 : 0);
}

static int
same_branch(const BranchHit *a, const BranchHit *b)
{
    return a->line == b->line && a->block == b->block && a->branch == b->branch;
}

/* qsort context for cmp_fn_order: the record being finished (the GIL is held). */
static Record *sort_record;

static int
cmp_fn_order(const void *a, const void *b)
{
    Py_ssize_t i = *(const Py_ssize_t *)a, j = *(const Py_ssize_t *)b;
    long long x = sort_record->fn[i].start, y = sort_record->fn[j].start;
    if (x != y)
        return x < y ? -1 : 1;
    /* str vs str: cannot fail */
    return PyUnicode_Compare(PyList_GET_ITEM(sort_record->fn_names, i),
                             PyList_GET_ITEM(sort_record->fn_names, j));
}

/* Build the record tuple (lcov.py _Record); sorts and sums duplicates first. Functions
 * come out in FileCoverage's order, (start line, name), so it need not sort them. */
static PyObject *
record_finish(Record *r, PyObject *fn_type)
{
    Py_ssize_t n = r->n_lines, m = 0;
    if (!r->lines_sorted)
        qsort(r->lines, (size_t)n, sizeof(LineHit), cmp_line);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (m > 0 && r->lines[m - 1].line == r->lines[i].line)
            r->lines[m - 1].hits = sat_add(r->lines[m - 1].hits, r->lines[i].hits);
        else
            r->lines[m++] = r->lines[i];
    }
    Py_ssize_t nb = r->n_br, mb = 0;
    if (!r->br_sorted)
        qsort(r->br, (size_t)nb, sizeof(BranchHit), cmp_branch);
    for (Py_ssize_t i = 0; i < nb; i++) {
        if (mb > 0 && same_branch(&r->br[mb - 1], &r->br[i])) {
            BranchHit *prev = &r->br[mb - 1];
            long long t = r->br[i].taken;
            if (prev->taken == NEVER_EVALUATED)
                prev->taken = t;
            else if (t != NEVER_EVALUATED)
                prev->taken = sat_add(prev->taken, t);
        }
        else
            r->br[mb++] = r->br[i];
    }

    PyObject *result = NULL, *lines = NULL, *hits = NULL, *bl = NULL, *bb = NULL, *bn = NULL,
             *bt = NULL, *funcs = NULL;
    /* One scratch buffer, reused for every column. */
    size_t scratch_items = (size_t)(m > mb ? m : mb);
    char *scratch = PyMem_Malloc(scratch_items * sizeof(long long) + 8);
    if (scratch == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    int *ib = (int *)scratch;
    long long *qb = (long long *)scratch;
    for (Py_ssize_t i = 0; i < m; i++) ib[i] = r->lines[i].line;
    if ((lines = make_array("i", ib, m * (Py_ssize_t)sizeof(int))) == NULL) goto done;
    for (Py_ssize_t i = 0; i < m; i++) qb[i] = r->lines[i].hits;
    if ((hits = make_array("q", qb, m * (Py_ssize_t)sizeof(long long))) == NULL) goto done;
    for (Py_ssize_t i = 0; i < mb; i++) ib[i] = r->br[i].line;
    if ((bl = make_array("i", ib, mb * (Py_ssize_t)sizeof(int))) == NULL) goto done;
    for (Py_ssize_t i = 0; i < mb; i++) ib[i] = r->br[i].block;
    if ((bb = make_array("i", ib, mb * (Py_ssize_t)sizeof(int))) == NULL) goto done;
    for (Py_ssize_t i = 0; i < mb; i++) ib[i] = r->br[i].branch;
    if ((bn = make_array("i", ib, mb * (Py_ssize_t)sizeof(int))) == NULL) goto done;
    for (Py_ssize_t i = 0; i < mb; i++) qb[i] = r->br[i].taken;
    if ((bt = make_array("q", qb, mb * (Py_ssize_t)sizeof(long long))) == NULL) goto done;

    if ((funcs = PyList_New(r->n_fn)) == NULL) goto done;
    Py_ssize_t *order = PyMem_Malloc((size_t)(r->n_fn + 1) * sizeof(Py_ssize_t));
    if (order == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < r->n_fn; i++)
        order[i] = i;
    if (r->n_fn > 1) {
        sort_record = r;
        qsort(order, (size_t)r->n_fn, sizeof(Py_ssize_t), cmp_fn_order);
        sort_record = NULL;
    }
    for (Py_ssize_t k = 0; k < r->n_fn; k++) {
        Py_ssize_t i = order[k];
        FuncEntry *f = &r->fn[i];
        PyObject *name = PyList_GET_ITEM(r->fn_names, i);
        PyObject *start = PyLong_FromLongLong(f->start);
        PyObject *end = f->end ? PyLong_FromLongLong(f->end) : Py_NewRef(Py_None);
        PyObject *h = PyLong_FromLongLong(f->hits);
        PyObject *t = NULL;
        if (start && end && h)
            t = ((PyTypeObject *)fn_type)->tp_alloc((PyTypeObject *)fn_type, 4);
        if (t == NULL) {
            Py_XDECREF(start);
            Py_XDECREF(end);
            Py_XDECREF(h);
            PyMem_Free(order);
            goto done;
        }
        PyTuple_SET_ITEM(t, 0, Py_NewRef(name));
        PyTuple_SET_ITEM(t, 1, start);
        PyTuple_SET_ITEM(t, 2, end);
        PyTuple_SET_ITEM(t, 3, h);
        /* Holds only a str, ints and None: no cycle possible. Untracked now, the
         * garbage collector never walks the ~200k of them a monorepo report has. */
        PyObject_GC_UnTrack(t);
        PyList_SET_ITEM(funcs, k, t);
    }
    PyMem_Free(order);
    Py_ssize_t lines_hit = 0, br_hit = 0, fn_hit = 0;
    for (Py_ssize_t i = 0; i < m; i++)
        lines_hit += r->lines[i].hits > 0;
    for (Py_ssize_t i = 0; i < mb; i++)
        br_hit += r->br[i].taken > 0;
    for (Py_ssize_t i = 0; i < r->n_fn; i++)
        fn_hit += r->fn[i].hits > 0;
    result = Py_BuildValue("(OnOOOOOOO(LLLLLL)(nnn))", r->path, r->sf_line, lines, hits, bl, bb,
                           bn, bt, funcs, r->declared[0], r->declared[1], r->declared[2],
                           r->declared[3], r->declared[4], r->declared[5], lines_hit, br_hit,
                           fn_hit);
done:
    PyMem_Free(scratch);
    Py_XDECREF(lines);
    Py_XDECREF(hits);
    Py_XDECREF(bl);
    Py_XDECREF(bb);
    Py_XDECREF(bn);
    Py_XDECREF(bt);
    Py_XDECREF(funcs);
    return result;
}

/* -- the line parser ----------------------------------------------------------------- */

enum { LINE_OK = 0, LINE_FALLBACK = 1, LINE_ERROR = -1 };

#define TAG_IS(lit) (tn == (Py_ssize_t)sizeof(lit) - 1 && memcmp(p, lit, sizeof(lit) - 1) == 0)

static int
outside(const char *tag, Py_ssize_t lineno)
{
    FAIL("%s: outside a record (no SF: before it)", tag);
}

static int
parse_da(Record *r, const char *s, const char *e, Py_ssize_t lineno)
{
    const char *c1 = memchr(s, ',', e - s);
    if (c1 == NULL)
        FAIL("DA: missing fields");
    const char *c2 = memchr(c1 + 1, ',', e - (c1 + 1));
    long long line, count;
    if (get_line(s, c1, "DA", "line number", lineno, &line) < 0)
        return -1;
    if (get_count(c1 + 1, c2 ? c2 : e, "DA", "execution count", lineno, &count) < 0)
        return -1;
    if (grow((void **)&r->lines, &r->cap_lines, r->n_lines + 1, sizeof(LineHit)) < 0)
        return -1;
    if (r->n_lines && r->lines[r->n_lines - 1].line >= line)
        r->lines_sorted = 0;
    r->lines[r->n_lines].line = (int)line;
    r->lines[r->n_lines].hits = count;
    r->n_lines++;
    return 0;
}

static int
parse_brda(Record *r, const char *s, const char *e, Py_ssize_t lineno)
{
    const char *c1 = memchr(s, ',', e - s);
    const char *c2 = c1 ? memchr(c1 + 1, ',', e - (c1 + 1)) : NULL;
    const char *c3 = NULL;
    if (c2)
        for (const char *q = e - 1; q > c2; q--)
            if (*q == ',') {
                c3 = q;
                break;
            }
    if (c3 == NULL)
        FAIL("BRDA: missing fields");
    long long line, block, branch, taken;
    if (get_line(s, c1, "BRDA", "line number", lineno, &line) < 0)
        return -1;
    /* lcov 2.x: [e|f][U]<block>; "e" an exception branch (block -1-n), "f" a fallthrough
     * branch (an ordinary block here), "U" excluded as unreachable: Python counts those */
    const char *bk = c1 + 1;
    int exception = bk < c2 && *bk == 'e';
    if (bk < c2 && (*bk == 'e' || *bk == 'f'))
        bk++;
    if (bk < c2 && *bk == 'U')
        return LINE_FALLBACK;
    if (get_small(bk, c2, "BRDA", "block", lineno, &block) < 0)
        return -1;
    if (exception)
        block = -1 - block;
    const char *bs = c2 + 1;
    int numeric = bs < c3;
    for (const char *q = (bs < c3 && *bs == '-') ? bs + 1 : bs; q < c3; q++)
        if (*q < '0' || *q > '9')
            numeric = 0;
    if (bs < c3 && *bs == '-' && bs + 1 == c3)
        numeric = 0;
    if (!numeric)
        return LINE_FALLBACK; /* a named branch (lcov 2.x expression): Python numbers it */
    if (get_small(bs, c3, "BRDA", "branch", lineno, &branch) < 0)
        return -1;
    if (e - (c3 + 1) == 1 && c3[1] == '-')
        taken = NEVER_EVALUATED;
    else if (get_count(c3 + 1, e, "BRDA", "taken count", lineno, &taken) < 0)
        return -1;
    if (grow((void **)&r->br, &r->cap_br, r->n_br + 1, sizeof(BranchHit)) < 0)
        return -1;
    BranchHit *b = &r->br[r->n_br];
    b->line = (int)line;
    b->block = (int)block;
    b->branch = (int)branch;
    b->taken = taken;
    if (r->n_br && !br_less(&r->br[r->n_br - 1], b))
        r->br_sorted = 0;
    r->n_br++;
    return 0;
}

static int
parse_fn(Record *r, const char *s, const char *e, Py_ssize_t lineno)
{
    const char *c1 = memchr(s, ',', e - s);
    if (c1 == NULL)
        FAIL("FN: missing fields");
    long long start, end = 0;
    if (get_fn_line(s, c1, "FN", "line number", lineno, &start) < 0)
        return -1;
    const char *ns = c1 + 1, *d = ns;
    while (d < e && *d >= '0' && *d <= '9')
        d++;
    if (d > ns && d < e && *d == ',' && d + 1 < e) { /* FN:<line>,<end>,<name> (lcov 2.x) */
        if (get_line(ns, d, "FN", "end line", lineno, &end) < 0)
            return -1;
        ns = d + 1;
    }
    if (ns == e)
        FAIL("FN: empty function name");
    PyObject *name = decode_text(ns, e);
    if (name == NULL)
        return -1;
    PyObject *idx = PyDict_GetItemWithError(r->fn_index, name);
    if (idx != NULL) {
        FuncEntry *f = &r->fn[PyLong_AsSsize_t(idx)];
        if (f->end == 0)
            f->end = end;
        Py_DECREF(name);
        return 0;
    }
    if (PyErr_Occurred() || grow((void **)&r->fn, &r->cap_fn, r->n_fn + 1, sizeof(FuncEntry)) < 0) {
        Py_DECREF(name);
        return -1;
    }
    PyObject *pos = PyLong_FromSsize_t(r->n_fn);
    if (pos == NULL || PyDict_SetItem(r->fn_index, name, pos) < 0 ||
        PyList_Append(r->fn_names, name) < 0) {
        Py_XDECREF(pos);
        Py_DECREF(name);
        return -1;
    }
    Py_DECREF(pos);
    Py_DECREF(name);
    r->fn[r->n_fn].start = start;
    r->fn[r->n_fn].end = end;
    r->fn[r->n_fn].hits = 0;
    r->n_fn++;
    return 0;
}

static int
parse_fnda(Record *r, const char *s, const char *e, Py_ssize_t lineno)
{
    const char *c1 = memchr(s, ',', e - s);
    if (c1 == NULL)
        FAIL("FNDA: missing fields");
    long long count;
    if (get_count(s, c1, "FNDA", "execution count", lineno, &count) < 0)
        return -1;
    /* Fast path: FNDA lines usually follow the FN lines in the same order, so compare
     * the bytes with the next function's name before making a str to look up. */
    if (r->fnda_cursor < r->n_fn) {
        Py_ssize_t len;
        const char *known = PyUnicode_AsUTF8AndSize(
            PyList_GET_ITEM(r->fn_names, r->fnda_cursor), &len);
        if (known == NULL)
            PyErr_Clear(); /* a surrogate-escaped name: take the general path */
        else if (len == e - (c1 + 1) && memcmp(known, c1 + 1, (size_t)len) == 0) {
            FuncEntry *f = &r->fn[r->fnda_cursor++];
            f->hits = sat_add(f->hits, count);
            return 0;
        }
    }
    PyObject *name = decode_text(c1 + 1, e);
    if (name == NULL)
        return -1;
    PyObject *idx = PyDict_GetItemWithError(r->fn_index, name);
    if (idx == NULL) {
        if (!PyErr_Occurred())
            parse_error(lineno, PyUnicode_FromFormat(
                                    "FNDA: no FN: for function %U earlier in this record", name));
        Py_DECREF(name);
        return -1;
    }
    Py_DECREF(name);
    Py_ssize_t at = PyLong_AsSsize_t(idx);
    r->fnda_cursor = at + 1;
    r->fn[at].hits = sat_add(r->fn[at].hits, count);
    return 0;
}

/* Add a function to the record by name, or add its hits to the one of that name. */
static int
add_function(Record *r, PyObject *name, long long start, long long end, long long hits)
{
    PyObject *idx = PyDict_GetItemWithError(r->fn_index, name);
    if (idx != NULL) {
        FuncEntry *f = &r->fn[PyLong_AsSsize_t(idx)];
        f->hits = sat_add(f->hits, hits);
        return 0;
    }
    if (PyErr_Occurred() || grow((void **)&r->fn, &r->cap_fn, r->n_fn + 1, sizeof(FuncEntry)) < 0)
        return -1;
    PyObject *pos = PyLong_FromSsize_t(r->n_fn);
    if (pos == NULL || PyDict_SetItem(r->fn_index, name, pos) < 0 ||
        PyList_Append(r->fn_names, name) < 0) {
        Py_XDECREF(pos);
        return -1;
    }
    Py_DECREF(pos);
    r->fn[r->n_fn].start = start;
    r->fn[r->n_fn].end = end;
    r->fn[r->n_fn].hits = hits;
    r->n_fn++;
    return 0;
}

/* FNL:<index>,<line>[,<end line>] (lcov 2.3); a repeated index starts over. */
static int
parse_fnl(Record *r, const char *s, const char *e, Py_ssize_t lineno)
{
    const char *c1 = memchr(s, ',', e - s);
    const char *c2 = c1 ? memchr(c1 + 1, ',', e - (c1 + 1)) : NULL;
    if (c1 == NULL || (c2 && memchr(c2 + 1, ',', e - (c2 + 1))))
        FAIL("FNL: missing fields");
    long long idx, start, end = 0;
    if (get_small(s, c1, "FNL", "index", lineno, &idx) < 0 ||
        get_line(c1 + 1, c2 ? c2 : e, "FNL", "line number", lineno, &start) < 0 ||
        (c2 && get_line(c2 + 1, e, "FNL", "end line", lineno, &end) < 0))
        return -1;
    if (r->fnl_index == NULL && (r->fnl_index = PyDict_New()) == NULL)
        return -1;
    PyObject *key = PyLong_FromLongLong(idx);
    if (key == NULL)
        return -1;
    PyObject *pos = PyDict_GetItemWithError(r->fnl_index, key);
    FnlEntry *f;
    if (pos != NULL) {
        f = &r->fnl[PyLong_AsSsize_t(pos)];
    }
    else {
        PyObject *at = PyErr_Occurred() ? NULL : PyLong_FromSsize_t(r->n_fnl);
        if (at == NULL ||
            grow((void **)&r->fnl, &r->cap_fnl, r->n_fnl + 1, sizeof(FnlEntry)) < 0 ||
            PyDict_SetItem(r->fnl_index, key, at) < 0) {
            Py_XDECREF(at);
            Py_DECREF(key);
            return -1;
        }
        Py_DECREF(at);
        f = &r->fnl[r->n_fnl++];
    }
    Py_DECREF(key);
    f->idx = idx;
    f->start = start;
    f->end = end;
    f->named = 0;
    return 0;
}

/* FNA:<index>,<execution count>,<name>: each alias is a function of its own, as lcov
 * --summary counts them (lcov.py); a name seen before adds its count to that one. */
static int
parse_fna(Record *r, const char *s, const char *e, Py_ssize_t lineno)
{
    const char *c1 = memchr(s, ',', e - s);
    const char *c2 = c1 ? memchr(c1 + 1, ',', e - (c1 + 1)) : NULL;
    if (c2 == NULL)
        FAIL("FNA: missing fields");
    long long idx, count;
    if (get_small(s, c1, "FNA", "index", lineno, &idx) < 0 ||
        get_count(c1 + 1, c2, "FNA", "execution count", lineno, &count) < 0)
        return -1;
    if (c2 + 1 == e)
        FAIL("FNA: empty function name");
    PyObject *pos = NULL;
    if (r->fnl_index != NULL) {
        PyObject *key = PyLong_FromLongLong(idx);
        if (key == NULL)
            return -1;
        pos = PyDict_GetItemWithError(r->fnl_index, key);
        Py_DECREF(key);
        if (pos == NULL && PyErr_Occurred())
            return -1;
    }
    if (pos == NULL)
        FAIL("FNA: no FNL: with index %lld earlier in this record", idx);
    FnlEntry *f = &r->fnl[PyLong_AsSsize_t(pos)];
    f->named = 1;
    PyObject *name = decode_text(c2 + 1, e);
    if (name == NULL)
        return -1;
    int rc = add_function(r, name, f->start, f->end, count);
    Py_DECREF(name);
    return rc;
}

/* At end_of_record: every FNL must have had an alias. */
static int
apply_fnl(Record *r, Py_ssize_t lineno)
{
    for (Py_ssize_t i = 0; i < r->n_fnl; i++) {
        FnlEntry *f = &r->fnl[i];
        if (!f->named)
            FAIL("end_of_record: FNL:%lld has no FNA: name", f->idx);
    }
    return 0;
}

static PyObject *
parse_lcov(PyObject *self, PyObject *args)
{
    Py_buffer buf;
    Py_ssize_t first_lineno;
    int final;
    PyObject *fn_type;
    if (!PyArg_ParseTuple(args, "y*npO", &buf, &first_lineno, &final, &fn_type))
        return NULL;
    if (!PyType_Check(fn_type) || !PyType_IsSubtype((PyTypeObject *)fn_type, &PyTuple_Type)) {
        PyBuffer_Release(&buf);
        PyErr_SetString(PyExc_TypeError, "parse_lcov: Function must be a tuple subclass");
        return NULL;
    }
    const char *data = buf.buf, *end = data + buf.len, *p = data;
    Py_ssize_t lineno = first_lineno - 1;
    Py_ssize_t consumed = 0, consumed_lines = 0;
    int in_rec = 0, fallback = 0;
    Record r;
    memset(&r, 0, sizeof r);
    record_clear(&r);
    PyObject *records = PyList_New(0);
    if (records == NULL)
        goto error;

    while (p < end) {
        if (in_rec && end - p > 3 && p[0] == 'D' && p[1] == 'A' && p[2] == ':') {
            /* The hot path: most lines of a tracefile are DA:<line>,<count>\n. It
             * finds the end of the line itself (no memchr call for a 10-byte line);
             * anything unusual (long numbers, a checksum, errors) takes the general
             * path below, which gives the same result or the same error. */
            const char *q = p + 3;
            unsigned long long ln = 0, cnt = 0;
            int nd = 0;
            while (q < end && (unsigned)(*q - '0') <= 9 && nd < 10) {
                ln = ln * 10 + (unsigned)(*q++ - '0');
                nd++;
            }
            if (nd && q < end && *q == ',' && ln >= 1 && ln <= MAX_LINE) {
                q++;
                nd = 0;
                while (q < end && (unsigned)(*q - '0') <= 9 && nd < 18) {
                    cnt = cnt * 10 + (unsigned)(*q++ - '0');
                    nd++;
                }
                const char *eol = q;
                if (eol < end && *eol == '\r')
                    eol++;
                if (nd && (eol == end || *eol == '\n')) {
                    if (r.n_lines == r.cap_lines &&
                        grow((void **)&r.lines, &r.cap_lines, r.n_lines + 1, sizeof(LineHit)) < 0)
                        goto error;
                    if (r.n_lines && r.lines[r.n_lines - 1].line >= (int)ln)
                        r.lines_sorted = 0;
                    r.lines[r.n_lines].line = (int)ln;
                    r.lines[r.n_lines].hits = (long long)cnt;
                    r.n_lines++;
                    lineno++;
                    p = eol < end ? eol + 1 : end;
                    continue;
                }
            }
        }
        if (in_rec && end - p > 5 && p[0] == 'B' && p[1] == 'R' && p[2] == 'D' && p[3] == 'A' &&
            p[4] == ':') {
            /* BRDA:<line>,<block>,<branch>,<taken>\n with plain numbers: parsed in one
             * pass like DA; anything else (e-blocks, names, errors) goes the long way. */
            const char *q = p + 5;
            unsigned long long f[3];
            int ok = 1;
            for (int k = 0; k < 3 && ok; k++) {
                int nd = 0;
                f[k] = 0;
                while (q < end && (unsigned)(*q - '0') <= 9 && nd < 10) {
                    f[k] = f[k] * 10 + (unsigned)(*q++ - '0');
                    nd++;
                }
                ok = nd > 0 && q < end && *q == ',' && f[k] <= MAX_LINE && (k || f[k] >= 1);
                q++;
            }
            long long taken = 0;
            if (ok && q < end && *q == '-') {
                taken = NEVER_EVALUATED;
                q++;
            }
            else if (ok) {
                int nd = 0;
                unsigned long long t = 0;
                while (q < end && (unsigned)(*q - '0') <= 9 && nd < 18) {
                    t = t * 10 + (unsigned)(*q++ - '0');
                    nd++;
                }
                ok = nd > 0;
                taken = (long long)t;
            }
            const char *eol = q;
            if (ok && eol < end && *eol == '\r')
                eol++;
            if (ok && (eol == end || *eol == '\n')) {
                if (r.n_br == r.cap_br &&
                    grow((void **)&r.br, &r.cap_br, r.n_br + 1, sizeof(BranchHit)) < 0)
                    goto error;
                BranchHit *b = &r.br[r.n_br];
                b->line = (int)f[0];
                b->block = (int)f[1];
                b->branch = (int)f[2];
                b->taken = taken;
                if (r.n_br && !br_less(&r.br[r.n_br - 1], b))
                    r.br_sorted = 0;
                r.n_br++;
                lineno++;
                p = eol < end ? eol + 1 : end;
                continue;
            }
        }
        const char *nl = memchr(p, '\n', end - p);
        const char *next = nl ? nl + 1 : end;
        const char *e = nl ? nl : end;
        lineno++;
        if (e > p && e[-1] == '\r')
            e--;
        int rc = LINE_OK;
        if (e > p && *p == '#') { /* a comment line: lcov 2.x skips them too (lcov.py) */
            p = next;
            if (!in_rec) {
                consumed = p - data;
                consumed_lines = lineno - first_lineno + 1;
            }
            continue;
        }
        const char *colon = memchr(p, ':', e - p);
        if (colon == NULL) {
            if (e - p == 13 && memcmp(p, "end_of_record", 13) == 0) {
                if (!in_rec) {
                    parse_error(lineno, PyUnicode_FromString("end_of_record without SF:"));
                    goto error;
                }
                if (r.n_fnl && apply_fnl(&r, lineno) < 0)
                    goto error;
                PyObject *rec = record_finish(&r, fn_type);
                if (rec == NULL)
                    goto error;
                int bad = PyList_Append(records, rec);
                Py_DECREF(rec);
                if (bad < 0)
                    goto error;
                record_clear(&r);
                in_rec = 0;
            }
            else {
                const char *q = p;
                while (q < e && is_space(*q))
                    q++;
                if (q < e) {
                    unknown_line(p, e, lineno);
                    goto error;
                }
            }
        }
        else {
            Py_ssize_t tn = colon - p;
            const char *s = colon + 1;
            if (TAG_IS("DA")) {
                rc = in_rec ? parse_da(&r, s, e, lineno) : outside("DA", lineno);
            }
            else if (TAG_IS("BRDA")) {
                rc = in_rec ? parse_brda(&r, s, e, lineno) : outside("BRDA", lineno);
            }
            else if (TAG_IS("FN")) {
                rc = in_rec ? parse_fn(&r, s, e, lineno) : outside("FN", lineno);
            }
            else if (TAG_IS("FNDA")) {
                rc = in_rec ? parse_fnda(&r, s, e, lineno) : outside("FNDA", lineno);
            }
            else if (TAG_IS("LF") || TAG_IS("LH") || TAG_IS("BRF") || TAG_IS("BRH") ||
                     TAG_IS("FNF") || TAG_IS("FNH")) {
                char tag[4] = {0};
                memcpy(tag, p, (size_t)tn);
                int slot = tag[0] == 'L' ? (tag[1] == 'F' ? 0 : 1)
                           : tag[0] == 'B' ? (tag[2] == 'F' ? 2 : 3)
                                           : (tag[2] == 'F' ? 4 : 5);
                if (!in_rec)
                    rc = outside(tag, lineno);
                else
                    rc = get_count(s, e, tag, "count", lineno, &r.declared[slot]);
            }
            else if (TAG_IS("SF")) {
                if (in_rec) {
                    parse_error(lineno, PyUnicode_FromString(
                                            "SF: inside the record of another file "
                                            "(missing end_of_record)"));
                    goto error;
                }
                if (s == e) {
                    parse_error(lineno, PyUnicode_FromString("SF: empty file name"));
                    goto error;
                }
                if ((r.path = decode_text(s, e)) == NULL || (r.fn_index = PyDict_New()) == NULL ||
                    (r.fn_names = PyList_New(0)) == NULL)
                    goto error;
                r.sf_line = lineno;
                in_rec = 1;
            }
            else if (TAG_IS("TN") || TAG_IS("VER")) {
                /* test names and versions do not change the coverage */
            }
            else if (TAG_IS("FNL")) {
                rc = in_rec ? parse_fnl(&r, s, e, lineno) : outside("FNL", lineno);
            }
            else if (TAG_IS("FNA")) {
                rc = in_rec ? parse_fna(&r, s, e, lineno) : outside("FNA", lineno);
            }
            else if (TAG_IS("MCDC") || TAG_IS("MCF") || TAG_IS("MCH")) {
                /* lcov 2.2 MC/DC records and their summary: not modelled (lcov.py) */
                char tag[5] = {0};
                memcpy(tag, p, (size_t)tn);
                rc = in_rec ? LINE_OK : outside(tag, lineno);
            }
            else {
                unknown_line(p, e, lineno);
                goto error;
            }
        }
        if (rc == LINE_ERROR)
            goto error;
        if (rc == LINE_FALLBACK) {
            fallback = 1;
            break;
        }
        p = next;
        if (!in_rec) {
            consumed = p - data;
            consumed_lines = lineno - first_lineno + 1;
        }
    }
    if (in_rec && final && !fallback) {
        if (lineno < first_lineno)
            lineno = first_lineno;
        parse_error(lineno, PyUnicode_FromFormat(
                                "end of file inside the record of %U (no end_of_record)", r.path));
        goto error;
    }
    record_free(&r);
    PyBuffer_Release(&buf);
    return Py_BuildValue("(NnnO)", records, consumed, consumed_lines,
                         fallback ? Py_True : Py_False);
error:
    record_free(&r);
    PyBuffer_Release(&buf);
    Py_XDECREF(records);
    return NULL;
}

/* -- column helpers ------------------------------------------------------------------ */

static int
get_column(PyObject *obj, Py_buffer *view, Py_ssize_t itemsize, const char *what)
{
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        return -1;
    if (view->itemsize != itemsize || view->format == NULL ||
        strchr(itemsize == 4 ? "i" : "q", view->format[0]) == NULL || view->format[1] != 0) {
        PyErr_Format(PyExc_TypeError, "%s must be an array('%s')", what,
                     itemsize == 4 ? "i" : "q");
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

static PyObject *
merge_counts(PyObject *self, PyObject *args)
{
    PyObject *la, *ha, *lb, *hb;
    if (!PyArg_ParseTuple(args, "OOOO", &la, &ha, &lb, &hb))
        return NULL;
    Py_buffer v[4];
    int got = 0;
    PyObject *result = NULL;
    PyObject *objs[4] = {la, ha, lb, hb};
    const char *names[4] = {"lines_a", "hits_a", "lines_b", "hits_b"};
    for (; got < 4; got++)
        if (get_column(objs[got], &v[got], got % 2 ? 8 : 4, names[got]) < 0)
            goto done;
    Py_ssize_t na = v[0].len / 4, nb = v[2].len / 4;
    if (v[1].len / 8 != na || v[3].len / 8 != nb) {
        PyErr_SetString(PyExc_ValueError, "merge_counts: lines and hits differ in length");
        goto done;
    }
    const int *a = v[0].buf, *b = v[2].buf;
    const long long *x = v[1].buf, *y = v[3].buf;
    int *ol = PyMem_Malloc((size_t)(na + nb) * sizeof(int) + 1);
    long long *oh = PyMem_Malloc((size_t)(na + nb) * sizeof(long long) + 1);
    if (ol == NULL || oh == NULL) {
        PyMem_Free(ol);
        PyMem_Free(oh);
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t i = 0, j = 0, k = 0;
    while (i < na && j < nb) {
        if (a[i] < b[j]) {
            ol[k] = a[i];
            oh[k++] = x[i++];
        }
        else if (b[j] < a[i]) {
            ol[k] = b[j];
            oh[k++] = y[j++];
        }
        else {
            ol[k] = a[i];
            oh[k++] = sat_add(x[i++], y[j++]);
        }
    }
    for (; i < na; i++, k++) {
        ol[k] = a[i];
        oh[k] = x[i];
    }
    for (; j < nb; j++, k++) {
        ol[k] = b[j];
        oh[k] = y[j];
    }
    PyObject *lines = make_array("i", ol, k * (Py_ssize_t)sizeof(int));
    PyObject *hits = lines ? make_array("q", oh, k * (Py_ssize_t)sizeof(long long)) : NULL;
    PyMem_Free(ol);
    PyMem_Free(oh);
    if (lines && hits)
        result = PyTuple_Pack(2, lines, hits);
    Py_XDECREF(lines);
    Py_XDECREF(hits);
done:
    for (int n = 0; n < got; n++)
        PyBuffer_Release(&v[n]);
    return result;
}

static PyObject *
uncovered_ranges(PyObject *self, PyObject *args)
{
    PyObject *lo, *ho;
    if (!PyArg_ParseTuple(args, "OO", &lo, &ho))
        return NULL;
    Py_buffer vl, vh;
    if (get_column(lo, &vl, 4, "lines") < 0)
        return NULL;
    if (get_column(ho, &vh, 8, "hits") < 0) {
        PyBuffer_Release(&vl);
        return NULL;
    }
    PyObject *out = NULL;
    Py_ssize_t n = vl.len / 4;
    if (vh.len / 8 != n) {
        PyErr_SetString(PyExc_ValueError, "uncovered_ranges: lines and hits differ in length");
        goto done;
    }
    const int *lines = vl.buf;
    const long long *hits = vh.buf;
    if ((out = PyList_New(0)) == NULL)
        goto done;
    long long start = -1, last = -1;
    for (Py_ssize_t i = 0; i <= n; i++) {
        if (i < n && hits[i] == 0) {
            if (start < 0)
                start = lines[i];
            last = lines[i];
            continue;
        }
        if (start >= 0) {
            /* Build the pair directly (Py_BuildValue parses its format on every call,
               which was most of this function's time on a 4M-line report); a one-line
               range shares its int object. */
            PyObject *first = PyLong_FromLongLong(start);
            PyObject *second = NULL;
            if (first != NULL) {
                if (last == start) {
                    Py_INCREF(first);
                    second = first;
                }
                else
                    second = PyLong_FromLongLong(last);
            }
            PyObject *t = (first && second) ? PyTuple_New(2) : NULL;
            if (t == NULL) {
                Py_XDECREF(first);
                Py_XDECREF(second);
                Py_CLEAR(out);
                goto done;
            }
            PyTuple_SET_ITEM(t, 0, first);
            PyTuple_SET_ITEM(t, 1, second);
            if (PyList_Append(out, t) < 0) {
                Py_DECREF(t);
                Py_CLEAR(out);
                goto done;
            }
            Py_DECREF(t);
            start = -1;
        }
    }
done:
    PyBuffer_Release(&vl);
    PyBuffer_Release(&vh);
    return out;
}

static PyObject *
count_positive(PyObject *self, PyObject *obj)
{
    Py_buffer v;
    if (get_column(obj, &v, 8, "column") < 0)
        return NULL;
    const long long *x = v.buf;
    Py_ssize_t n = v.len / 8, k = 0;
    for (Py_ssize_t i = 0; i < n; i++)
        k += x[i] > 0;
    PyBuffer_Release(&v);
    return PyLong_FromSsize_t(k);
}

/* Merge two sorted branch column sets (model.FileCoverage.merge); equal keys combine
 * as FileCoverageBuilder.add_branch does: "never evaluated" yields to any number,
 * numbers add, saturating. Returns None when an input is not sorted. */
static PyObject *
merge_branches(PyObject *self, PyObject *args)
{
    PyObject *o[8];
    if (!PyArg_ParseTuple(args, "OOOOOOOO", &o[0], &o[1], &o[2], &o[3], &o[4], &o[5], &o[6],
                          &o[7]))
        return NULL;
    Py_buffer v[8];
    int got = 0;
    PyObject *result = NULL;
    for (; got < 8; got++)
        if (get_column(o[got], &v[got], got % 4 == 3 ? 8 : 4, "branch column") < 0)
            goto done;
    Py_ssize_t na = v[0].len / 4, nb = v[4].len / 4;
    for (int k = 0; k < 4; k++) {
        Py_ssize_t isz = k == 3 ? 8 : 4;
        if (v[k].len / isz != na || v[4 + k].len / isz != nb) {
            PyErr_SetString(PyExc_ValueError, "merge_branches: branch columns differ in length");
            goto done;
        }
    }
    const int *al = v[0].buf, *ab = v[1].buf, *an = v[2].buf, *bl = v[4].buf, *bb = v[5].buf,
              *bn = v[6].buf;
    const long long *at = v[3].buf, *bt = v[7].buf;
    /* The model keeps branches sorted; a reader that did not gets the Python path. */
    for (int side = 0; side < 2; side++) {
        const int *l = side ? bl : al, *b = side ? bb : ab, *n = side ? bn : an;
        Py_ssize_t len = side ? nb : na;
        for (Py_ssize_t k = 1; k < len; k++) {
            BranchHit p = {l[k - 1], b[k - 1], n[k - 1], 0}, q = {l[k], b[k], n[k], 0};
            if (br_less(&q, &p)) {
                result = Py_NewRef(Py_None);
                goto done;
            }
        }
    }
    BranchHit *out = PyMem_Malloc((size_t)(na + nb + 1) * sizeof(BranchHit));
    if (out == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t i = 0, j = 0, m = 0;
    while (i < na || j < nb) {
        BranchHit x;
        int take_a;
        if (i < na && j < nb) {
            BranchHit pa = {al[i], ab[i], an[i], at[i]}, pb = {bl[j], bb[j], bn[j], bt[j]};
            take_a = !br_less(&pb, &pa);
        }
        else
            take_a = i < na;
        if (take_a) {
            x.line = al[i]; x.block = ab[i]; x.branch = an[i]; x.taken = at[i]; i++;
        }
        else {
            x.line = bl[j]; x.block = bb[j]; x.branch = bn[j]; x.taken = bt[j]; j++;
        }
        if (m > 0 && same_branch(&out[m - 1], &x)) {
            BranchHit *prev = &out[m - 1];
            if (prev->taken == NEVER_EVALUATED)
                prev->taken = x.taken;
            else if (x.taken != NEVER_EVALUATED)
                prev->taken = sat_add(prev->taken, x.taken);
        }
        else
            out[m++] = x;
    }
    char *scratch = PyMem_Malloc((size_t)(m + 1) * sizeof(long long));
    PyObject *cols[4] = {NULL, NULL, NULL, NULL};
    if (scratch == NULL) {
        PyMem_Free(out);
        PyErr_NoMemory();
        goto done;
    }
    int *ib = (int *)scratch;
    long long *qb = (long long *)scratch;
    for (Py_ssize_t k = 0; k < m; k++) ib[k] = out[k].line;
    cols[0] = make_array("i", ib, m * (Py_ssize_t)sizeof(int));
    for (Py_ssize_t k = 0; k < m; k++) ib[k] = out[k].block;
    cols[1] = cols[0] ? make_array("i", ib, m * (Py_ssize_t)sizeof(int)) : NULL;
    for (Py_ssize_t k = 0; k < m; k++) ib[k] = out[k].branch;
    cols[2] = cols[1] ? make_array("i", ib, m * (Py_ssize_t)sizeof(int)) : NULL;
    for (Py_ssize_t k = 0; k < m; k++) qb[k] = out[k].taken;
    cols[3] = cols[2] ? make_array("q", qb, m * (Py_ssize_t)sizeof(long long)) : NULL;
    if (cols[3] != NULL)
        result = PyTuple_Pack(4, cols[0], cols[1], cols[2], cols[3]);
    for (int k = 0; k < 4; k++)
        Py_XDECREF(cols[k]);
    PyMem_Free(scratch);
    PyMem_Free(out);
done:
    for (int k = 0; k < got; k++)
        PyBuffer_Release(&v[k]);
    return result;
}

/* Compare two Function tuples by (start_line, name): the order FileCoverage keeps. */
static int
fn_cmp(PyObject *a, PyObject *b, int *out)
{
    int sa = (int)PyLong_AsLong(PyTuple_GET_ITEM(a, 1));
    int sb = (int)PyLong_AsLong(PyTuple_GET_ITEM(b, 1));
    if (PyErr_Occurred())
        return -1;
    if (sa != sb) {
        *out = sa < sb ? -1 : 1;
        return 0;
    }
    int c = PyUnicode_Compare(PyTuple_GET_ITEM(a, 0), PyTuple_GET_ITEM(b, 0));
    if (c == -1 && PyErr_Occurred())
        return -1;
    *out = c;
    return 0;
}

/* Merge two sequences of Function sorted by (start_line, name), as FileCoverage.merge
 * does through FileCoverageBuilder: one function per (name, start_line), the first
 * known end line, hits summed (saturating). */
static PyObject *
merge_functions(PyObject *self, PyObject *args)
{
    PyObject *fa, *fb, *fn_type;
    if (!PyArg_ParseTuple(args, "OOO", &fa, &fb, &fn_type))
        return NULL;
    PyObject *sa = PySequence_Fast(fa, "merge_functions: functions must be a sequence");
    if (sa == NULL)
        return NULL;
    PyObject *sb = PySequence_Fast(fb, "merge_functions: functions must be a sequence");
    if (sb == NULL) {
        Py_DECREF(sa);
        return NULL;
    }
    Py_ssize_t na = PySequence_Fast_GET_SIZE(sa), nb = PySequence_Fast_GET_SIZE(sb);
    PyObject **ia = PySequence_Fast_ITEMS(sa), **ib = PySequence_Fast_ITEMS(sb);
    PyObject *out = PyList_New(0);
    Py_ssize_t i = 0, j = 0;
    for (Py_ssize_t k = 0; k < na; k++)
        if (!PyTuple_Check(ia[k]) || PyTuple_GET_SIZE(ia[k]) != 4)
            goto bad_type;
    for (Py_ssize_t k = 0; k < nb; k++)
        if (!PyTuple_Check(ib[k]) || PyTuple_GET_SIZE(ib[k]) != 4)
            goto bad_type;
    while (out != NULL && (i < na || j < nb)) {
        PyObject *x;
        if (i < na && j < nb) {
            int c;
            if (fn_cmp(ia[i], ib[j], &c) < 0)
                goto error;
            x = c <= 0 ? ia[i++] : ib[j++];
        }
        else
            x = i < na ? ia[i++] : ib[j++];
        Py_ssize_t n = PyList_GET_SIZE(out);
        int same = 0;
        if (n > 0) {
            int c;
            if (fn_cmp(PyList_GET_ITEM(out, n - 1), x, &c) < 0)
                goto error;
            same = c == 0;
        }
        if (!same) {
            if (PyList_Append(out, x) < 0)
                goto error;
            continue;
        }
        PyObject *prev = PyList_GET_ITEM(out, n - 1);
        long long h1 = PyLong_AsLongLong(PyTuple_GET_ITEM(prev, 3));
        long long h2 = PyLong_AsLongLong(PyTuple_GET_ITEM(x, 3));
        if (PyErr_Occurred())
            goto error;
        /* Reports may disagree on where a function ends (tools and versions differ):
         * the widest span wins, so the merge is the same in any order. */
        PyObject *end = PyTuple_GET_ITEM(prev, 2);
        PyObject *end2 = PyTuple_GET_ITEM(x, 2);
        if (end == Py_None) {
            end = end2;
        } else if (end2 != Py_None) {
            int wider = PyObject_RichCompareBool(end2, end, Py_GT);
            if (wider < 0)
                goto error;
            if (wider)
                end = end2;
        }
        PyObject *hits = PyLong_FromLongLong(sat_add(h1, h2));
        if (hits == NULL)
            goto error;
        PyObject *t = ((PyTypeObject *)fn_type)->tp_alloc((PyTypeObject *)fn_type, 4);
        if (t == NULL) {
            Py_DECREF(hits);
            goto error;
        }
        PyTuple_SET_ITEM(t, 0, Py_NewRef(PyTuple_GET_ITEM(prev, 0)));
        PyTuple_SET_ITEM(t, 1, Py_NewRef(PyTuple_GET_ITEM(prev, 1)));
        PyTuple_SET_ITEM(t, 2, Py_NewRef(end));
        PyTuple_SET_ITEM(t, 3, hits);
        PyObject_GC_UnTrack(t);
        if (PyList_SetItem(out, n - 1, t) < 0)
            goto error;
    }
    Py_DECREF(sa);
    Py_DECREF(sb);
    return out;
bad_type:
    PyErr_SetString(PyExc_TypeError, "merge_functions: items must be Function tuples");
error:
    Py_XDECREF(out);
    Py_DECREF(sa);
    Py_DECREF(sb);
    return NULL;
}

/* Write v in decimal at p; return the end. (sprintf costs ~10x more per number.) */
static char *
put_ll(char *p, long long v)
{
    char tmp[24];
    int n = 0;
    unsigned long long u;
    if (v < 0) {
        *p++ = '-';
        u = 0ULL - (unsigned long long)v;
    }
    else
        u = (unsigned long long)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    while (n)
        *p++ = tmp[--n];
    return p;
}

/* The BRDA and DA lines of one LCOV record, as lcov.write formats them. */
static PyObject *
format_lcov_data(PyObject *self, PyObject *args)
{
    PyObject *o[6];
    if (!PyArg_ParseTuple(args, "OOOOOO", &o[0], &o[1], &o[2], &o[3], &o[4], &o[5]))
        return NULL;
    Py_buffer v[6];
    int got = 0;
    PyObject *result = NULL;
    static const int sizes[6] = {4, 8, 4, 4, 4, 8};
    for (; got < 6; got++)
        if (get_column(o[got], &v[got], sizes[got], "column") < 0)
            goto done;
    Py_ssize_t n = v[0].len / 4, nb = v[2].len / 4;
    if (v[1].len / 8 != n || v[3].len / 4 != nb || v[4].len / 4 != nb || v[5].len / 8 != nb) {
        PyErr_SetString(PyExc_ValueError, "format_lcov_data: columns differ in length");
        goto done;
    }
    /* "BRDA:" + 3 ints (<= 11 chars each, "e" prefix) + taken (<= 20) + 4 separators */
    size_t cap_br = (size_t)nb * 64 + 1, cap_da = (size_t)n * 36 + 1;
    char *br = PyMem_Malloc(cap_br), *da = PyMem_Malloc(cap_da);
    if (br == NULL || da == NULL) {
        PyMem_Free(br);
        PyMem_Free(da);
        PyErr_NoMemory();
        goto done;
    }
    const int *bl = v[2].buf, *bk = v[3].buf, *bn = v[4].buf;
    const long long *bt = v[5].buf;
    char *p = br;
    for (Py_ssize_t k = 0; k < nb; k++) {
        memcpy(p, "BRDA:", 5);
        p = put_ll(p + 5, bl[k]);
        *p++ = ',';
        if (bk[k] < 0) {
            *p++ = 'e';
            p = put_ll(p, -1LL - bk[k]);
        }
        else
            p = put_ll(p, bk[k]);
        *p++ = ',';
        p = put_ll(p, bn[k]);
        *p++ = ',';
        if (bt[k] == NEVER_EVALUATED)
            *p++ = '-';
        else
            p = put_ll(p, bt[k]);
        *p++ = '\n';
    }
    PyObject *br_bytes = PyBytes_FromStringAndSize(br, p - br);
    const int *dl = v[0].buf;
    const long long *dh = v[1].buf;
    p = da;
    for (Py_ssize_t k = 0; k < n; k++) {
        memcpy(p, "DA:", 3);
        p = put_ll(p + 3, dl[k]);
        *p++ = ',';
        p = put_ll(p, dh[k]);
        *p++ = '\n';
    }
    PyObject *da_bytes = PyBytes_FromStringAndSize(da, p - da);
    PyMem_Free(br);
    PyMem_Free(da);
    if (br_bytes && da_bytes)
        result = PyTuple_Pack(2, br_bytes, da_bytes);
    Py_XDECREF(br_bytes);
    Py_XDECREF(da_bytes);
done:
    for (int k = 0; k < got; k++)
        PyBuffer_Release(&v[k]);
    return result;
}

/* The FN and FNDA lines of one file as lcov.write emits them: one function per name
 * (first start line, first known end line, hits summed), FN:<line>[,<end>],<name>.
 * Returns (fn_bytes, fnda_bytes, functions, functions_hit), or None when a name has a
 * line break (lcov.write's Python path then raises its OutputError). */
static PyObject *
format_lcov_functions(PyObject *self, PyObject *arg)
{
    PyObject *seq = PySequence_Fast(arg, "format_lcov_functions: a sequence of Function");
    if (seq == NULL)
        return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    PyObject **items = PySequence_Fast_ITEMS(seq);
    PyObject *index = PyDict_New(), *names = PyList_New(0), *result = NULL;
    FuncEntry *fn = PyMem_Malloc((size_t)(n + 1) * sizeof(FuncEntry));
    char *fnb = NULL, *fdb = NULL;
    Py_ssize_t m = 0, hit = 0, total_name = 0;
    if (index == NULL || names == NULL || fn == NULL) {
        if (fn == NULL)
            PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *f = items[i];
        if (!PyTuple_Check(f) || PyTuple_GET_SIZE(f) != 4 || !PyUnicode_Check(PyTuple_GET_ITEM(f, 0))) {
            PyErr_SetString(PyExc_TypeError, "format_lcov_functions: items must be Function");
            goto done;
        }
        PyObject *name = PyTuple_GET_ITEM(f, 0), *end_o = PyTuple_GET_ITEM(f, 2);
        long long start = PyLong_AsLongLong(PyTuple_GET_ITEM(f, 1));
        long long end = end_o == Py_None ? 0 : PyLong_AsLongLong(end_o);
        long long hits = PyLong_AsLongLong(PyTuple_GET_ITEM(f, 3));
        if (PyErr_Occurred())
            goto done;
        PyObject *pos = PyDict_GetItemWithError(index, name);
        if (pos != NULL) {
            FuncEntry *e = &fn[PyLong_AsSsize_t(pos)];
            if (e->end == 0)
                e->end = end;
            e->hits = sat_add(e->hits, hits);
            continue;
        }
        if (PyErr_Occurred())
            goto done;
        PyObject *at = PyLong_FromSsize_t(m);
        PyObject *encoded = PyUnicode_AsEncodedString(name, "utf-8", "surrogateescape");
        if (at == NULL || encoded == NULL || PyDict_SetItem(index, name, at) < 0 ||
            PyList_Append(names, encoded) < 0) {
            Py_XDECREF(at);
            Py_XDECREF(encoded);
            goto done;
        }
        Py_DECREF(at);
        const char *text = PyBytes_AS_STRING(encoded);
        Py_ssize_t len = PyBytes_GET_SIZE(encoded);
        Py_DECREF(encoded);
        if (memchr(text, '\n', len) || memchr(text, '\r', len)) {
            result = Py_NewRef(Py_None);
            goto done;
        }
        total_name += len;
        fn[m].start = start;
        fn[m].end = end;
        fn[m].hits = hits;
        m++;
    }
    /* "FN:" + 2 numbers <= 20 chars + 2 commas + "\n"; "FNDA:" + <= 20 + "," + "\n" */
    fnb = PyMem_Malloc((size_t)(m * 48 + total_name + 1));
    fdb = PyMem_Malloc((size_t)(m * 32 + total_name + 1));
    if (fnb == NULL || fdb == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    char *p = fnb, *q = fdb;
    for (Py_ssize_t i = 0; i < m; i++) {
        PyObject *encoded = PyList_GET_ITEM(names, i);
        const char *text = PyBytes_AS_STRING(encoded);
        Py_ssize_t len = PyBytes_GET_SIZE(encoded);
        memcpy(p, "FN:", 3);
        p = put_ll(p + 3, fn[i].start);
        *p++ = ',';
        if (fn[i].end) {
            p = put_ll(p, fn[i].end);
            *p++ = ',';
        }
        memcpy(p, text, (size_t)len);
        p += len;
        *p++ = '\n';
        memcpy(q, "FNDA:", 5);
        q = put_ll(q + 5, fn[i].hits);
        *q++ = ',';
        memcpy(q, text, (size_t)len);
        q += len;
        *q++ = '\n';
        hit += fn[i].hits > 0;
    }
    result = Py_BuildValue("(y#y#nn)", fnb, (Py_ssize_t)(p - fnb), fdb, (Py_ssize_t)(q - fdb),
                           m, hit);
done:
    PyMem_Free(fn);
    PyMem_Free(fnb);
    PyMem_Free(fdb);
    Py_XDECREF(index);
    Py_XDECREF(names);
    Py_DECREF(seq);
    return result;
}

/* Whether Function tuples are in FileCoverage's order, (start_line, name), already. */
static PyObject *
functions_sorted(PyObject *self, PyObject *arg)
{
    if (!PyTuple_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "functions_sorted: a tuple of Function");
        return NULL;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(arg);
    for (Py_ssize_t i = 1; i < n; i++) {
        int c;
        PyObject *a = PyTuple_GET_ITEM(arg, i - 1), *b = PyTuple_GET_ITEM(arg, i);
        if (!PyTuple_Check(a) || PyTuple_GET_SIZE(a) != 4 || !PyTuple_Check(b) ||
            PyTuple_GET_SIZE(b) != 4 || !PyLong_Check(PyTuple_GET_ITEM(a, 1)) ||
            !PyLong_Check(PyTuple_GET_ITEM(b, 1)) || !PyUnicode_Check(PyTuple_GET_ITEM(a, 0)) ||
            !PyUnicode_Check(PyTuple_GET_ITEM(b, 0)))
            Py_RETURN_FALSE; /* let Python's sort deal with (or reject) it */
        if (fn_cmp(a, b, &c) < 0)
            return NULL;
        if (c > 0)
            Py_RETURN_FALSE;
    }
    Py_RETURN_TRUE;
}

/* -- history codec columns ------------------------------------------------------------ */

static int
column_width(char code)
{
    switch (code) {
    case 'b': return 1;
    case 'h': return 2;
    case 'i': return 4;
    case 'q': return 8;
    default: return 0;
    }
}

static long long
load_value(const void *buf, Py_ssize_t i, int width)
{
    switch (width) {
    case 1: return ((const signed char *)buf)[i];
    case 2: return ((const short *)buf)[i];
    case 4: return ((const int *)buf)[i];
    default: return ((const long long *)buf)[i];
    }
}

static int
fits(long long v, int width)
{
    if (width == 8)
        return 1;
    long long lim = 1LL << (8 * width - 1);
    return v >= -lim && v < lim;
}

static PyObject *
shuffle_column(PyObject *self, PyObject *args)
{
    PyObject *obj;
    int delta;
    if (!PyArg_ParseTuple(args, "Op", &obj, &delta))
        return NULL;
    Py_buffer v;
    if (PyObject_GetBuffer(obj, &v, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        return NULL;
    int width = (v.format && v.format[0] && !v.format[1]) ? column_width(v.format[0]) : 0;
    if (width == 0 || v.itemsize != width) {
        PyBuffer_Release(&v);
        PyErr_SetString(PyExc_TypeError, "column must be an array('b'/'h'/'i'/'q')");
        return NULL;
    }
    Py_ssize_t n = v.len / width;
    PyObject *out = PyBytes_FromStringAndSize(NULL, v.len);
    if (out == NULL) {
        PyBuffer_Release(&v);
        return NULL;
    }
    unsigned char *o = (unsigned char *)PyBytes_AS_STRING(out);
    long long prev = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        long long x = load_value(v.buf, i, width), d = x;
        if (delta) {
            if (__builtin_sub_overflow(x, prev, &d) || !fits(d, width)) {
                PyBuffer_Release(&v);
                Py_DECREF(out);
                PyErr_SetString(PyExc_OverflowError, "delta out of the column's range");
                return NULL;
            }
            prev = x;
        }
        unsigned long long u = (unsigned long long)d;
        for (int k = 0; k < width; k++)
            o[(Py_ssize_t)k * n + i] = (unsigned char)(u >> (8 * k));
    }
    PyBuffer_Release(&v);
    return out;
}

static PyObject *
unshuffle_column(PyObject *self, PyObject *args)
{
    const char *code;
    Py_buffer data;
    int delta;
    if (!PyArg_ParseTuple(args, "sy*p", &code, &data, &delta))
        return NULL;
    int width = code[0] && !code[1] ? column_width(code[0]) : 0;
    if (width == 0) {
        PyBuffer_Release(&data);
        return PyErr_Format(PyExc_ValueError, "unknown column type '%s'", code);
    }
    if (data.len % width) {
        PyBuffer_Release(&data);
        PyErr_SetString(PyExc_ValueError, "column length is not a multiple of its width");
        return NULL;
    }
    Py_ssize_t n = data.len / width;
    void *vals = PyMem_Malloc(data.len ? (size_t)data.len : 1);
    if (vals == NULL) {
        PyBuffer_Release(&data);
        return PyErr_NoMemory();
    }
    const unsigned char *in = data.buf;
    long long acc = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        unsigned long long u = 0;
        for (int k = 0; k < width; k++)
            u |= (unsigned long long)in[(Py_ssize_t)k * n + i] << (8 * k);
        long long x;
        if (width == 8)
            x = (long long)u;
        else {
            unsigned long long sign = 1ULL << (8 * width - 1);
            x = (long long)((u ^ sign) - sign); /* sign-extend */
        }
        if (delta) {
            if (__builtin_add_overflow(acc, x, &acc) || !fits(acc, width)) {
                PyMem_Free(vals);
                PyBuffer_Release(&data);
                PyErr_SetString(PyExc_OverflowError, "value out of the column's range");
                return NULL;
            }
            x = acc;
        }
        switch (width) {
        case 1: ((signed char *)vals)[i] = (signed char)x; break;
        case 2: ((short *)vals)[i] = (short)x; break;
        case 4: ((int *)vals)[i] = (int)x; break;
        default: ((long long *)vals)[i] = x; break;
        }
    }
    PyObject *arr = make_array(code, vals, data.len);
    PyMem_Free(vals);
    PyBuffer_Release(&data);
    return arr;
}

/* gather_suite(files) -> (counts, lines, hits, br_line, br_block, br_branch, br_taken,
 *                         fn_names, fn_start, fn_end, fn_hits) or None
 *
 * The history codec's `_encode_suite` columns for a list of FileCoverage, in one call:
 * every file's columns concatenated, line numbers (lines, br_line) delta-encoded over
 * the whole column, each column's little-endian bytes regrouped by position, exactly
 * the bytes `shuffle_column` gives for the concatenated column (the Python loop in
 * codec.py is the reference). `counts` holds (lines, branches, functions) per file as
 * 'q'; fn_names is a list of the functions' names; an end line of None is -1. A
 * FileCoverage whose columns are not the model's array types, or a function that is
 * not a (name, int, int|None, int) tuple, makes it return None: the reference decides.
 * A delta out of the int32 range raises OverflowError, as the reference does. */
enum { G_LINES, G_HITS, G_BR_LINE, G_BR_BLOCK, G_BR_BRANCH, G_BR_TAKEN, G_NCOLS };
static const char *const gather_attrs[G_NCOLS] = {"lines",    "hits",      "br_line",
                                                  "br_block", "br_branch", "br_taken"};
static const int gather_width[G_NCOLS] = {4, 8, 4, 4, 4, 8};

static inline void
put4(unsigned char *o, Py_ssize_t n, Py_ssize_t i, uint32_t u)
{
    o[i] = (unsigned char)u;
    o[n + i] = (unsigned char)(u >> 8);
    o[2 * n + i] = (unsigned char)(u >> 16);
    o[3 * n + i] = (unsigned char)(u >> 24);
}

static inline void
put8(unsigned char *o, Py_ssize_t n, Py_ssize_t i, uint64_t u)
{
    for (int k = 0; k < 8; k++)
        o[(Py_ssize_t)k * n + i] = (unsigned char)(u >> (8 * k));
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define GATHER_BLOCKS 1
#else
#define GATHER_BLOCKS 0 /* big-endian hosts: the byte-at-a-time loops only */
#endif

/* Eight 8-byte values' bytes regrouped by position, eight bytes per plane at a time: the
 * 8x8 byte matrix (row j = value j) transposed with three rounds of masked swaps, then
 * row k (byte k of every value) stored at plane k. Same bytes as put8 eight times. */
static inline void
put8_block(unsigned char *o, Py_ssize_t n, Py_ssize_t i, const uint64_t *v)
{
    uint64_t r[8], t;
    memcpy(r, v, sizeof r);
    for (int j = 0; j < 4; j++) {
        t = ((r[j] >> 32) ^ r[j + 4]) & 0x00000000FFFFFFFFULL;
        r[j] ^= t << 32;
        r[j + 4] ^= t;
    }
    static const int pair16[4] = {0, 1, 4, 5}, pair8[4] = {0, 2, 4, 6};
    for (int q = 0; q < 4; q++) {
        int j = pair16[q];
        t = ((r[j] >> 16) ^ r[j + 2]) & 0x0000FFFF0000FFFFULL;
        r[j] ^= t << 16;
        r[j + 2] ^= t;
    }
    for (int q = 0; q < 4; q++) {
        int j = pair8[q];
        t = ((r[j] >> 8) ^ r[j + 1]) & 0x00FF00FF00FF00FFULL;
        r[j] ^= t << 8;
        r[j + 1] ^= t;
    }
    for (int k = 0; k < 8; k++)
        memcpy(o + (Py_ssize_t)k * n + i, &r[k], 8);
}

/* Eight 4-byte values, the same way: two 4x4 byte transposes, eight bytes per plane. */
static inline void
put4_block(unsigned char *o, Py_ssize_t n, Py_ssize_t i, const uint32_t *v)
{
    uint64_t r[4], t;
    for (int k = 0; k < 4; k++) /* value k in the low half, value k + 4 in the high half */
        r[k] = (uint64_t)v[k] | ((uint64_t)v[k + 4] << 32);
    for (int j = 0; j < 2; j++) {
        t = ((r[j] >> 16) ^ r[j + 2]) & 0x0000FFFF0000FFFFULL;
        r[j] ^= t << 16;
        r[j + 2] ^= t;
    }
    for (int j = 0; j < 4; j += 2) {
        t = ((r[j] >> 8) ^ r[j + 1]) & 0x00FF00FF00FF00FFULL;
        r[j] ^= t << 8;
        r[j + 1] ^= t;
    }
    /* r[k] now holds byte k of values 0-3 (low half) and of values 4-7 (high half) */
    for (int k = 0; k < 4; k++)
        memcpy(o + (Py_ssize_t)k * n + i, &r[k], 8);
}

/* Write an 8-byte column part at [at, at+m). */
static void
put_column8(unsigned char *o, Py_ssize_t n, Py_ssize_t at, const long long *x, Py_ssize_t m)
{
    Py_ssize_t i = 0;
#if GATHER_BLOCKS
    for (; i + 8 <= m; i += 8)
        put8_block(o, n, at + i, (const uint64_t *)(x + i));
#endif
    for (; i < m; i++)
        put8(o, n, at + i, (uint64_t)x[i]);
}

/* Write a 4-byte column part at [at, at+m), delta-encoded against *prev when delta. */
static int
put_column4(unsigned char *o, Py_ssize_t n, Py_ssize_t at, const int *x, Py_ssize_t m,
            int delta, long long *prev)
{
    Py_ssize_t i = 0;
    long long p = delta ? *prev : 0;
#if GATHER_BLOCKS
    for (; i + 8 <= m; i += 8) {
        uint32_t d[8];
        for (int k = 0; k < 8; k++) {
            long long v = x[i + k];
            if (delta) {
                long long dv = v - p;
                if (dv < INT_MIN || dv > INT_MAX)
                    goto overflow;
                p = v;
                v = dv;
            }
            d[k] = (uint32_t)(int)v;
        }
        put4_block(o, n, at + i, d);
    }
#endif
    for (; i < m; i++) {
        long long v = x[i];
        if (delta) {
            long long dv = v - p;
            if (dv < INT_MIN || dv > INT_MAX)
                goto overflow;
            p = v;
            v = dv;
        }
        put4(o, n, at + i, (uint32_t)(int)v);
    }
    if (delta)
        *prev = p;
    return 0;
overflow:
    PyErr_SetString(PyExc_OverflowError, "delta out of the column's range");
    return -1;
}

static PyObject *
gather_suite(PyObject *self, PyObject *arg)
{
    PyObject *seq = PySequence_Fast(arg, "gather_suite: a list of FileCoverage");
    if (seq == NULL)
        return NULL;
    Py_ssize_t nfiles = PySequence_Fast_GET_SIZE(seq);
    PyObject **items = PySequence_Fast_ITEMS(seq);
    Py_buffer *views = PyMem_Calloc((size_t)(nfiles ? nfiles : 1) * G_NCOLS, sizeof(Py_buffer));
    PyObject **funcs = PyMem_Calloc((size_t)(nfiles ? nfiles : 1), sizeof(PyObject *));
    PyObject *result = NULL, *names = NULL;
    Py_ssize_t got = 0; /* views acquired */
    int unusual = 0;
    if (views == NULL || funcs == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t nl = 0, nb = 0, nf = 0;
    for (Py_ssize_t f = 0; f < nfiles && !unusual; f++) {
        for (int c = 0; c < G_NCOLS; c++) {
            PyObject *col = PyObject_GetAttrString(items[f], gather_attrs[c]);
            if (col == NULL)
                goto done;
            Py_buffer *v = &views[f * G_NCOLS + c];
            int ok = PyObject_GetBuffer(col, v, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) == 0;
            Py_DECREF(col);
            if (!ok) {
                PyErr_Clear();
                unusual = 1;
                break;
            }
            got = f * G_NCOLS + c + 1;
            int w = gather_width[c];
            if (v->itemsize != w || v->format == NULL || v->format[1] != 0 ||
                v->format[0] != (w == 4 ? 'i' : 'q')) {
                unusual = 1;
                break;
            }
        }
        if (unusual)
            break;
        Py_ssize_t m = views[f * G_NCOLS + G_LINES].len / 4;
        Py_ssize_t mb = views[f * G_NCOLS + G_BR_LINE].len / 4;
        if (views[f * G_NCOLS + G_HITS].len / 8 != m ||
            views[f * G_NCOLS + G_BR_BLOCK].len / 4 != mb ||
            views[f * G_NCOLS + G_BR_BRANCH].len / 4 != mb ||
            views[f * G_NCOLS + G_BR_TAKEN].len / 8 != mb) {
            unusual = 1;
            break;
        }
        funcs[f] = PyObject_GetAttrString(items[f], "functions");
        if (funcs[f] == NULL)
            goto done;
        if (!PyTuple_Check(funcs[f])) {
            unusual = 1;
            break;
        }
        Py_ssize_t k = PyTuple_GET_SIZE(funcs[f]);
        for (Py_ssize_t j = 0; j < k; j++) {
            PyObject *fn = PyTuple_GET_ITEM(funcs[f], j);
            if (!PyTuple_Check(fn) || PyTuple_GET_SIZE(fn) != 4 ||
                !PyLong_Check(PyTuple_GET_ITEM(fn, 1)) || !PyLong_Check(PyTuple_GET_ITEM(fn, 3)) ||
                (PyTuple_GET_ITEM(fn, 2) != Py_None && !PyLong_Check(PyTuple_GET_ITEM(fn, 2)))) {
                unusual = 1;
                break;
            }
        }
        nl += m;
        nb += mb;
        nf += k;
    }
    if (unusual) {
        result = Py_NewRef(Py_None);
        goto done;
    }
    /* counts, lines, hits, br_line, br_block, br_branch, br_taken, fn_start, fn_end, fn_hits */
    Py_ssize_t sizes[10] = {24 * nfiles, 4 * nl, 8 * nl, 4 * nb, 4 * nb,
                            4 * nb,      8 * nb, 8 * nf, 8 * nf, 8 * nf};
    unsigned char *out[10];
    PyObject *bufs[10] = {NULL};
    for (int c = 0; c < 10; c++) {
        bufs[c] = PyBytes_FromStringAndSize(NULL, sizes[c]);
        if (bufs[c] == NULL) {
            for (int j = 0; j < c; j++)
                Py_DECREF(bufs[j]);
            goto done;
        }
        out[c] = (unsigned char *)PyBytes_AS_STRING(bufs[c]);
    }
    names = PyList_New(nf);
    if (names == NULL)
        goto fail_bufs;
    Py_ssize_t at_l = 0, at_b = 0, at_f = 0;
    long long prev_line = 0, prev_br = 0;
    for (Py_ssize_t f = 0; f < nfiles; f++) {
        Py_buffer *v = &views[f * G_NCOLS];
        Py_ssize_t m = v[G_LINES].len / 4, mb = v[G_BR_LINE].len / 4;
        Py_ssize_t k = PyTuple_GET_SIZE(funcs[f]);
        put8(out[0], 3 * nfiles, 3 * f, (uint64_t)m);
        put8(out[0], 3 * nfiles, 3 * f + 1, (uint64_t)mb);
        put8(out[0], 3 * nfiles, 3 * f + 2, (uint64_t)k);
        if (put_column4(out[1], nl, at_l, v[G_LINES].buf, m, 1, &prev_line) < 0 ||
            put_column4(out[3], nb, at_b, v[G_BR_LINE].buf, mb, 1, &prev_br) < 0 ||
            put_column4(out[4], nb, at_b, v[G_BR_BLOCK].buf, mb, 0, NULL) < 0 ||
            put_column4(out[5], nb, at_b, v[G_BR_BRANCH].buf, mb, 0, NULL) < 0)
            goto fail_bufs;
        put_column8(out[2], nl, at_l, v[G_HITS].buf, m);
        put_column8(out[6], nb, at_b, v[G_BR_TAKEN].buf, mb);
        for (Py_ssize_t j = 0; j < k; j++) {
            PyObject *fn = PyTuple_GET_ITEM(funcs[f], j);
            PyObject *end = PyTuple_GET_ITEM(fn, 2);
            long long start = PyLong_AsLongLong(PyTuple_GET_ITEM(fn, 1));
            long long stop = end == Py_None ? -1 : PyLong_AsLongLong(end);
            long long hit = PyLong_AsLongLong(PyTuple_GET_ITEM(fn, 3));
            if (PyErr_Occurred())
                goto fail_bufs;
            PyList_SET_ITEM(names, at_f + j, Py_NewRef(PyTuple_GET_ITEM(fn, 0)));
            put8(out[7], nf, at_f + j, (uint64_t)start);
            put8(out[8], nf, at_f + j, (uint64_t)stop);
            put8(out[9], nf, at_f + j, (uint64_t)hit);
        }
        at_l += m;
        at_b += mb;
        at_f += k;
    }
    result = Py_BuildValue("(NNNNNNNNNNN)", bufs[0], bufs[1], bufs[2], bufs[3], bufs[4],
                           bufs[5], bufs[6], names, bufs[7], bufs[8], bufs[9]);
    names = NULL; /* stolen by "N", even on failure */
    goto done;
fail_bufs:
    for (int c = 0; c < 10; c++)
        Py_XDECREF(bufs[c]);
done:
    Py_XDECREF(names);
    for (Py_ssize_t i = 0; i < got; i++)
        if (views[i].obj != NULL)
            PyBuffer_Release(&views[i]);
    if (funcs != NULL)
        for (Py_ssize_t f = 0; f < nfiles; f++)
            Py_XDECREF(funcs[f]);
    PyMem_Free(views);
    PyMem_Free(funcs);
    Py_DECREF(seq);
    return result;
}

/* -- Go coverprofiles (covgap/formats/gocover.py) ------------------------------------ */

/* parse_gocover(data) -> (mode, [(path, lines, hits), ...], covered, total) or None
 *
 * The whole reader for the common profile in one pass: the records are parsed into
 * per-file block arrays, each file's blocks sorted by position and repeated blocks
 * merged (counts add, saturating; `set`: or-ed), then lines are derived by
 * gocover.py's rule (a line spanned by a block with statements gets the largest count
 * of those blocks). `covered`/`total` are Go's statement totals, as
 * `go tool cover -func` counts them. Files come sorted by path (UTF-8 byte order is
 * code-point order, so this is Python's str order).
 *
 * None means "not decided here": anything unusual (a malformed or hostile record, a
 * mode line that is not exactly `mode: set|count|atomic`, a record before it, modes
 * that differ, a block repeated with different statement counts, a column past
 * 2**63-1, a path that is not UTF-8 or holds NUL, more than `max_spanned` spanned
 * lines). gocover.py then runs its exact parser, which names the line. So this
 * function never has to phrase an error, and a damaged profile costs no crash here:
 * every number is range-checked before use and every line span is bounded. */

typedef struct {
    int sl, el;
    long long sc, ec, n, count;
} GoBlock;

typedef struct {
    const char *name; /* into data */
    Py_ssize_t name_len;
    GoBlock *b;
    Py_ssize_t n, cap;
} GoFile;

typedef struct {
    int line;
    long long count;
} GoLine;

/* Digits only (bytes.isdigit), at least one; 0 if past 2**63-1 or not digits. */
static int
go_num(const char *p, const char *e, long long *out)
{
    unsigned long long v = 0;
    if (p == e)
        return 0;
    for (; p < e; p++) {
        unsigned d = (unsigned char)*p - (unsigned)'0';
        if (d > 9)
            return 0;
        v = v * 10 + d;
        if (v > (unsigned long long)LLONG_MAX)
            return 0;
    }
    *out = (long long)v;
    return 1;
}

/* Walk back over digits from e; returns where they start. */
static const char *
go_digits_back(const char *p, const char *e)
{
    while (e > p && (unsigned char)(e[-1] - '0') <= 9)
        e--;
    return e;
}

static int
go_cmp_block(const void *a, const void *b)
{
    const GoBlock *x = a, *y = b;
    if (x->sl != y->sl)
        return x->sl < y->sl ? -1 : 1;
    if (x->sc != y->sc)
        return x->sc < y->sc ? -1 : 1;
    if (x->el != y->el)
        return x->el < y->el ? -1 : 1;
    if (x->ec != y->ec)
        return x->ec < y->ec ? -1 : 1;
    return 0;
}

static int
go_cmp_line(const void *a, const void *b)
{
    const GoLine *x = a, *y = b;
    return (x->line > y->line) - (x->line < y->line);
}

static const GoFile *go_files_for_sort;

static int
go_cmp_file(const void *a, const void *b)
{
    const GoFile *x = &go_files_for_sort[*(const Py_ssize_t *)a];
    const GoFile *y = &go_files_for_sort[*(const Py_ssize_t *)b];
    Py_ssize_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
    int c = memcmp(x->name, y->name, (size_t)n);
    if (c)
        return c;
    return (x->name_len > y->name_len) - (x->name_len < y->name_len);
}

/* Parse one record line [p, e) (no newline, one trailing \r removed) into *b and the
 * name span. 0 when it is not exactly `name:sl.sc,el.ec n count` (single spaces). */
static int
go_record(const char *p, const char *e, GoBlock *b, const char **name_end)
{
    long long v[6];
    static const char seps[6] = {' ', ' ', '.', ',', '.', ':'};
    /* fields from the right: count, n, ec, el, sc, sl; each preceded by its separator */
    for (int i = 0; i < 6; i++) {
        const char *s = go_digits_back(p, e);
        if (s == e || s == p || s[-1] != seps[i] || !go_num(s, e, &v[i]))
            return 0;
        e = s - 1;
    }
    if (e == p) /* empty name */
        return 0;
    long long count = v[0], n = v[1], ec = v[2], el = v[3], sc = v[4], sl = v[5];
    if (sl < 1 || sl > MAX_LINE || el < 1 || el > MAX_LINE)
        return 0;
    if (el < sl || (el == sl && ec < sc))
        return 0;
    b->sl = (int)sl;
    b->el = (int)el;
    b->sc = sc;
    b->ec = ec;
    b->n = n;
    b->count = count;
    *name_end = e;
    return 1;
}

/* A line that is exactly `mode: set|count|atomic` -> 1, 2, 3; else 0. */
static int
go_mode(const char *p, const char *e)
{
    static const char *const names[3] = {"set", "count", "atomic"};
    if (e - p < 6 || memcmp(p, "mode: ", 6) != 0)
        return 0;
    p += 6;
    for (int i = 0; i < 3; i++) {
        size_t len = strlen(names[i]);
        if ((size_t)(e - p) == len && memcmp(p, names[i], len) == 0)
            return i + 1;
    }
    return 0;
}

/* Whether the exact parser would take the line for a mode line: it starts with
 * whitespace or "m" and, left-stripped, with "mode:" (gocover.read_profile). */
static int
go_mode_like(const char *p, const char *e)
{
    if (p == e || !(*p == 'm' || *p == ' ' || *p == '\t'))
        return 0;
    while (p < e && is_space(*p)) /* bytes.lstrip(): ASCII whitespace */
        p++;
    return e - p >= 5 && memcmp(p, "mode:", 5) == 0;
}

static PyObject *
parse_gocover(PyObject *self, PyObject *args)
{
    Py_buffer view;
    long long max_spanned;
    if (!PyArg_ParseTuple(args, "y*L", &view, &max_spanned))
        return NULL;
    const char *data = view.buf, *end = data + view.len;
    PyObject *result = NULL, *index = NULL, *files_out = NULL;
    GoFile *files = NULL;
    Py_ssize_t n_files = 0, cap_files = 0;
    Py_ssize_t *order = NULL;
    GoLine *lines = NULL;
    Py_ssize_t cap_lines = 0;
    int *line_col = NULL;
    long long *hit_col = NULL;
    int mode = 0, miss = 0;
    Py_ssize_t cur = -1; /* the file of the previous record */
    long long spanned = 0, covered = 0, total = 0;

    index = PyDict_New();
    if (index == NULL)
        goto done;
    for (const char *p = data; p < end && !miss;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end, *next = nl ? nl + 1 : end;
        if (e > p && e[-1] == '\r')
            e--;
        const char *q = p;
        while (q < e && (*q == ' ' || *q == '\t' || *q == '\r'))
            q++;
        if (q == e) { /* blank */
            p = next;
            continue;
        }
        if (go_mode_like(p, e)) {
            int m = go_mode(p, e);
            if (m == 0 || (mode && m != mode))
                miss = 1;
            mode = m;
            p = next;
            continue;
        }
        GoBlock b;
        const char *name_end;
        if (!mode || !go_record(p, e, &b, &name_end)) {
            miss = 1;
            break;
        }
        Py_ssize_t name_len = name_end - p;
        if (cur < 0 || files[cur].name_len != name_len ||
            memcmp(files[cur].name, p, (size_t)name_len) != 0) {
            PyObject *key = PyBytes_FromStringAndSize(p, name_len);
            if (key == NULL)
                goto done;
            PyObject *found = PyDict_GetItemWithError(index, key);
            if (found != NULL) {
                cur = PyLong_AsSsize_t(found);
            }
            else if (PyErr_Occurred()) {
                Py_DECREF(key);
                goto done;
            }
            else {
                if (grow((void **)&files, &cap_files, n_files + 1, sizeof(GoFile)) < 0) {
                    Py_DECREF(key);
                    goto done;
                }
                cur = n_files++;
                files[cur].name = p;
                files[cur].name_len = name_len;
                files[cur].b = NULL;
                files[cur].n = files[cur].cap = 0;
                PyObject *val = PyLong_FromSsize_t(cur);
                int rc = val == NULL ? -1 : PyDict_SetItem(index, key, val);
                Py_XDECREF(val);
                if (rc < 0) {
                    Py_DECREF(key);
                    goto done;
                }
            }
            Py_DECREF(key);
        }
        GoFile *f = &files[cur];
        if (grow((void **)&f->b, &f->cap, f->n + 1, sizeof(GoBlock)) < 0)
            goto done;
        f->b[f->n++] = b;
        p = next;
    }
    if (miss || !mode)
        goto miss;

    order = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(n_files ? n_files : 1));
    if (order == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n_files; i++)
        order[i] = i;
    go_files_for_sort = files; /* the GIL is held: no other caller of qsort's comparator */
    qsort(order, (size_t)n_files, sizeof(Py_ssize_t), go_cmp_file);

    /* merge repeated blocks and check the span bound before any line is made */
    for (Py_ssize_t i = 0; i < n_files; i++) {
        GoFile *f = &files[i];
        qsort(f->b, (size_t)f->n, sizeof(GoBlock), go_cmp_block);
        Py_ssize_t w = 0;
        for (Py_ssize_t r = 0; r < f->n; r++) {
            if (w > 0 && go_cmp_block(&f->b[w - 1], &f->b[r]) == 0) {
                GoBlock *prev = &f->b[w - 1];
                if (prev->n != f->b[r].n)
                    goto miss;
                if (mode == 1)
                    prev->count = (prev->count || f->b[r].count) ? 1 : 0;
                else
                    prev->count = sat_add(prev->count, f->b[r].count);
                continue;
            }
            f->b[w++] = f->b[r];
            spanned += (long long)f->b[r].el - f->b[r].sl + 1;
            if (spanned > max_spanned)
                goto miss;
        }
        f->n = w;
    }

    files_out = PyList_New(n_files);
    if (files_out == NULL)
        goto done;
    for (Py_ssize_t k = 0; k < n_files; k++) {
        GoFile *f = &files[order[k]];
        if (memchr(f->name, '\0', (size_t)f->name_len) != NULL)
            goto miss;
        PyObject *path = PyUnicode_DecodeUTF8(f->name, f->name_len, NULL);
        if (path == NULL) {
            if (!PyErr_ExceptionMatches(PyExc_UnicodeDecodeError))
                goto done;
            PyErr_Clear();
            goto miss;
        }
        /* every (line, count) of the blocks with statements, in block order */
        Py_ssize_t m = 0;
        for (Py_ssize_t j = 0; j < f->n; j++) {
            GoBlock *b = &f->b[j];
            if (b->n == 0)
                continue;
            /* Python's ints do not overflow: a sum past 2**63-1 is decided there */
            if (__builtin_add_overflow(total, b->n, &total) ||
                (b->count > 0 && __builtin_add_overflow(covered, b->n, &covered))) {
                Py_DECREF(path);
                goto miss;
            }
            Py_ssize_t need = m + (Py_ssize_t)(b->el - b->sl) + 1;
            if (grow((void **)&lines, &cap_lines, need, sizeof(GoLine)) < 0) {
                Py_DECREF(path);
                goto done;
            }
            for (long long ln = b->sl; ln <= b->el; ln++) {
                lines[m].line = (int)ln;
                lines[m].count = b->count;
                m++;
            }
        }
        int sorted = 1;
        for (Py_ssize_t j = 1; j < m && sorted; j++)
            sorted = lines[j - 1].line <= lines[j].line;
        if (!sorted) /* overlapping blocks: rare; equal lines are reduced below */
            qsort(lines, (size_t)m, sizeof(GoLine), go_cmp_line);
        PyMem_Free(line_col);
        PyMem_Free(hit_col);
        line_col = PyMem_Malloc(sizeof(int) * (size_t)(m ? m : 1));
        hit_col = PyMem_Malloc(sizeof(long long) * (size_t)(m ? m : 1));
        if (line_col == NULL || hit_col == NULL) {
            Py_DECREF(path);
            PyErr_NoMemory();
            goto done;
        }
        Py_ssize_t u = 0;
        for (Py_ssize_t j = 0; j < m; j++) {
            if (u > 0 && line_col[u - 1] == lines[j].line) {
                if (lines[j].count > hit_col[u - 1])
                    hit_col[u - 1] = lines[j].count;
                continue;
            }
            line_col[u] = lines[j].line;
            hit_col[u] = lines[j].count;
            u++;
        }
        PyObject *la = make_array("i", line_col, (Py_ssize_t)sizeof(int) * u);
        PyObject *ha = la ? make_array("q", hit_col, (Py_ssize_t)sizeof(long long) * u) : NULL;
        if (ha == NULL) {
            Py_XDECREF(la);
            Py_DECREF(path);
            goto done;
        }
        PyObject *item = PyTuple_Pack(3, path, la, ha);
        Py_DECREF(path);
        Py_DECREF(la);
        Py_DECREF(ha);
        if (item == NULL)
            goto done;
        PyList_SET_ITEM(files_out, k, item);
    }
    {
        static const char *const mode_names[4] = {"", "set", "count", "atomic"};
        result = Py_BuildValue("(sOLL)", mode_names[mode], files_out, covered, total);
    }
    goto done;
miss:
    result = Py_NewRef(Py_None);
done:
    for (Py_ssize_t i = 0; i < n_files; i++)
        PyMem_Free(files[i].b);
    PyMem_Free(files);
    PyMem_Free(order);
    PyMem_Free(lines);
    PyMem_Free(line_col);
    PyMem_Free(hit_col);
    Py_XDECREF(files_out);
    Py_XDECREF(index);
    PyBuffer_Release(&view);
    return result;
}

/* -- span_records: the gap analysis's functions and error paths of one file ---------- */

/* First index of `lines` (sorted) whose value is >= x (after_equal 0) or > x (1). */
static Py_ssize_t
bound(const int *lines, Py_ssize_t n, long long x, int after_equal)
{
    Py_ssize_t lo = 0, hi = n;
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (lines[mid] < x || (after_equal && lines[mid] == x))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* A named tuple of type `cls` holding `items` (references stolen, NULLs allowed: then
   the others are released and NULL returned). */
static PyObject *
make_record(PyTypeObject *cls, PyObject **items, Py_ssize_t n)
{
    PyObject *t = NULL;
    Py_ssize_t i;
    for (i = 0; i < n; i++)
        if (items[i] == NULL)
            goto fail;
    t = cls->tp_alloc(cls, n);
    if (t == NULL)
        goto fail;
    for (i = 0; i < n; i++)
        PyTuple_SET_ITEM(t, i, items[i]);
    return t;
fail:
    for (i = 0; i < n; i++)
        Py_XDECREF(items[i]);
    return NULL;
}

static PyObject *
long_attr(PyObject *obj, PyObject *name, long long *value)
{
    PyObject *v = PyObject_GetAttr(obj, name);
    if (v == NULL)
        return NULL;
    *value = PyLong_AsLongLong(v);
    if (*value == -1 && PyErr_Occurred()) {
        Py_DECREF(v);
        return NULL;
    }
    return v;
}

/* The uncovered ranges of lines[lo:hi] (covered > 0 and < hi - lo), as
   gaps._lines_in walks them. */
static PyObject *
span_ranges(const int *lines, const long long *hits, Py_ssize_t lo, Py_ssize_t hi)
{
    PyObject *list = PyList_New(0);
    if (list == NULL)
        return NULL;
    long long start = -1, last = -1;
    for (Py_ssize_t i = lo; i <= hi; i++) {
        if (i < hi && hits[i] == 0) {
            if (start < 0)
                start = lines[i];
            last = lines[i];
            continue;
        }
        if (start >= 0) {
            PyObject *pair = Py_BuildValue("(LL)", start, last);
            if (pair == NULL || PyList_Append(list, pair) < 0) {
                Py_XDECREF(pair);
                Py_DECREF(list);
                return NULL;
            }
            Py_DECREF(pair);
            start = -1;
        }
    }
    PyObject *t = PyList_AsTuple(list);
    Py_DECREF(list);
    return t;
}

static PyObject *
span_records(PyObject *self, PyObject *args)
{
    PyObject *lo_obj, *ho_obj, *items, *cls_obj;
    int functions;
    if (!PyArg_ParseTuple(args, "OOOpO", &lo_obj, &ho_obj, &items, &functions, &cls_obj))
        return NULL;
    if (!PyType_Check(cls_obj) || !PyType_IsSubtype((PyTypeObject *)cls_obj, &PyTuple_Type)) {
        PyErr_SetString(PyExc_TypeError, "span_records: cls must be a tuple subclass");
        return NULL;
    }
    PyTypeObject *cls = (PyTypeObject *)cls_obj;
    Py_buffer vl, vh;
    if (get_column(lo_obj, &vl, 4, "lines") < 0)
        return NULL;
    if (get_column(ho_obj, &vh, 8, "hits") < 0) {
        PyBuffer_Release(&vl);
        return NULL;
    }
    PyObject *out = NULL, *seq = NULL;
    PyObject *n_start = NULL, *n_end = NULL, *n_a = NULL, *n_b = NULL, *n_test = NULL;
    Py_ssize_t n = vl.len / 4;
    if (vh.len / 8 != n) {
        PyErr_SetString(PyExc_ValueError, "span_records: lines and hits differ in length");
        goto done;
    }
    const int *lines = vl.buf;
    const long long *hits = vh.buf;
    n_start = PyUnicode_InternFromString("start_line");
    n_end = PyUnicode_InternFromString("end_line");
    n_a = PyUnicode_InternFromString(functions ? "qualname" : "kind");
    n_b = PyUnicode_InternFromString("complexity");
    n_test = PyUnicode_InternFromString("test");
    if (!n_start || !n_end || !n_a || !n_b || !n_test)
        goto done;
    seq = PySequence_Fast(items, "span_records: items must be a sequence");
    if (seq == NULL)
        goto done;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(seq);
    if ((out = PyList_New(0)) == NULL)
        goto done;
    for (Py_ssize_t k = 0; k < count; k++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, k);
        if (functions) {
            PyObject *test = PyObject_GetAttr(item, n_test);
            if (test == NULL)
                goto fail;
            int is_test = PyObject_IsTrue(test);
            Py_DECREF(test);
            if (is_test < 0)
                goto fail;
            if (is_test)
                continue;
        }
        long long start, end;
        PyObject *start_obj = long_attr(item, n_start, &start);
        if (start_obj == NULL)
            goto fail;
        PyObject *end_obj = long_attr(item, n_end, &end);
        if (end_obj == NULL) {
            Py_DECREF(start_obj);
            goto fail;
        }
        Py_ssize_t lo = bound(lines, n, start, 0), hi = bound(lines, n, end, 1);
        Py_ssize_t total = hi - lo, covered = total;
        for (Py_ssize_t i = lo; i < hi; i++)
            covered -= hits[i] == 0;
        PyObject *rec;
        if (functions) {
            PyObject *ranges;
            if (total <= 0 || covered == total)
                ranges = PyTuple_New(0);
            else if (covered == 0)
                ranges = Py_BuildValue("((ii))", lines[lo], lines[hi - 1]);
            else
                ranges = span_ranges(lines, hits, lo, hi);
            PyObject *fields[7] = {
                PyObject_GetAttr(item, n_a), start_obj, end_obj, PyObject_GetAttr(item, n_b),
                PyLong_FromSsize_t(total), PyLong_FromSsize_t(covered), ranges,
            };
            rec = make_record(cls, fields, 7);
        }
        else {
            PyObject *ran = total == 0 ? Py_None : covered > 0 ? Py_True : Py_False;
            Py_INCREF(ran);
            PyObject *fields[4] = {PyObject_GetAttr(item, n_a), start_obj, end_obj, ran};
            rec = make_record(cls, fields, 4);
        }
        if (rec == NULL)
            goto fail;
        if (PyList_Append(out, rec) < 0) {
            Py_DECREF(rec);
            goto fail;
        }
        Py_DECREF(rec);
    }
    goto done;
fail:
    Py_CLEAR(out);
done:
    Py_XDECREF(seq);
    Py_XDECREF(n_start);
    Py_XDECREF(n_end);
    Py_XDECREF(n_a);
    Py_XDECREF(n_b);
    Py_XDECREF(n_test);
    PyBuffer_Release(&vl);
    PyBuffer_Release(&vh);
    return out;
}

/* -- module -------------------------------------------------------------------------- */

static PyMethodDef methods[] = {
    {"parse_lcov", parse_lcov, METH_VARARGS,
     "parse_lcov(data, first_lineno, final, Function) -> (records, consumed_bytes, "
     "consumed_lines, fallback)"},
    {"merge_counts", merge_counts, METH_VARARGS,
     "merge_counts(lines_a, hits_a, lines_b, hits_b) -> (array('i'), array('q'))"},
    {"uncovered_ranges", uncovered_ranges, METH_VARARGS,
     "uncovered_ranges(lines, hits) -> list of (first, last) uncovered line ranges"},
    {"format_lcov_functions", format_lcov_functions, METH_O,
     "format_lcov_functions(functions) -> (FN bytes, FNDA bytes, found, hit) or None"},
    {"functions_sorted", functions_sorted, METH_O,
     "functions_sorted(tuple of Function) -> whether already in (start_line, name) order"},
    {"count_positive", count_positive, METH_O,
     "count_positive(array('q')) -> how many values are > 0 (lines or branches covered)"},
    {"merge_branches", merge_branches, METH_VARARGS,
     "merge_branches(line_a, block_a, branch_a, taken_a, line_b, ...) -> four columns"},
    {"merge_functions", merge_functions, METH_VARARGS,
     "merge_functions(functions_a, functions_b, Function) -> merged list, sorted"},
    {"format_lcov_data", format_lcov_data, METH_VARARGS,
     "format_lcov_data(lines, hits, br_line, br_block, br_branch, br_taken) -> "
     "(BRDA bytes, DA bytes)"},
    {"shuffle_column", shuffle_column, METH_VARARGS,
     "shuffle_column(array, delta) -> bytes: (delta-encoded) values, bytes grouped by position"},
    {"unshuffle_column", unshuffle_column, METH_VARARGS,
     "unshuffle_column(typecode, data, delta) -> array: the inverse of shuffle_column"},
    {"gather_suite", gather_suite, METH_O,
     "gather_suite(list of FileCoverage) -> the history codec's shuffled columns, or None"},
    {"span_records", span_records, METH_VARARGS,
     "span_records(lines, hits, items, functions, cls) -> the gap analysis's FunctionGap "
     "or ErrorPathStatus records of one file"},
    {"parse_gocover", parse_gocover, METH_VARARGS,
     "parse_gocover(data, max_spanned) -> (mode, [(path, lines, hits)], covered, total) "
     "or None (not decided here: the exact parser decides)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "covgap._speedups",
    "C accelerator for covgap's LCOV parser and per-line merging (optional).", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    PyObject *m = PyModule_Create(&module);
    if (m == NULL)
        return NULL;
    PyObject *array_mod = PyImport_ImportModule("array");
    if (array_mod == NULL)
        goto fail;
    array_type = PyObject_GetAttrString(array_mod, "array");
    Py_DECREF(array_mod);
    if (array_type == NULL)
        goto fail;
    ParseError = PyErr_NewException("covgap._speedups.ParseError", PyExc_ValueError, NULL);
    if (ParseError == NULL || PyModule_AddObjectRef(m, "ParseError", ParseError) < 0)
        goto fail;
    return m;
fail:
    Py_DECREF(m);
    return NULL;
}
