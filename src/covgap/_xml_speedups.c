/*
 * covgap._xml_speedups: strict streaming scanners for JaCoCo XML and Clover XML.
 *
 * Why: both readers stream their report through lxml's iterparse and then handle every
 * <line> element in Python (attribute lookups, parse_count, builder dict updates): 31 s
 * for a 203 MB jacoco.xml and 24 s for a 185 MB clover.xml (4 million lines). Scanning
 * the bytes here and handing Python one record per <sourcefile>/<file>, with its lines
 * and branch outcomes already in array columns, leaves Python a few operations per file.
 *
 * Contract: Scanner(kind, ...).feed(data, final) scans the next piece of the document
 * (the caller prepends what the previous call left unconsumed) and returns
 * (consumed, records), or None. None means "not sure": anything outside the subset
 * below -- CDATA, processing instructions after the XML declaration, a DOCTYPE with an
 * internal subset, entity references other than the five predefined ones, namespaces,
 * elements the reader does not know or in places it does not expect them, raw
 * tabs/newlines inside extracted attribute values, numbers that are not 1 to 18 plain
 * digits, lines out of order, values beyond the readers' limits, a non-UTF-8 encoding,
 * any well-formedness doubt -- and the caller reads the document again with the lxml
 * reader (the reference), which decides, including every error message. The scanner
 * never raises for bad input; it only declines. It keeps nothing but a bounded element
 * stack between calls, so the document is never in memory as a whole.
 *
 * Subset accepted: UTF-8 (optional BOM, XML declaration naming utf-8/ascii or no
 * encoding), comments, one DOCTYPE without internal subset, elements with quoted
 * attributes, text with &lt; &gt; &amp; &quot; &apos; and &#N; / &#xH; references.
 * Well-formedness is checked as far as this subset needs: matching end tags, duplicate
 * attributes, legal characters and UTF-8, nothing but comments and whitespace around
 * the root element. The tokenizer is covgap/_xml_scan.h, shared with covgap/_cobertura_speedups.c.
 *
 * Records, JaCoCo (kind 0), in document order:
 *   (1, package, class name|None, sourcefilename|None,
 *       [(name|None, desc|None, line (-1: absent), (missed, covered) of METHOD|None)])
 *   (2, package, sourcefile name, lines 'i', hits 'q',
 *       br_line 'i', br_block 'i', br_branch 'i', br_taken 'q', [(type, missed, covered)],
 *       <line>s with mi/ci, <line>s without, <line>s repeating a number)
 *   (3, package)                              -- a </package>
 * Clover (kind 1):
 *   (0, clover attribute of the root|None)
 *   (1, path|None, name|None, lines 'i', hits 'q', cond_line 'i', cond_ran 'q',
 *       cond_true 'q', cond_false 'q', [(name|None, signature|None, num, count)],
 *       (statements, coveredstatements, conditionals, coveredconditionals, methods,
 *       coveredmethods) with -1 for absent, (sum t+f, sum t, outcomes > 0, max t+f),
 *       <line>s repeating a number and type)
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "_xml_scan.h"

#define MAX_TOKEN (4 << 20)
#define SUM_LIMIT 4000000000000000000LL
#define MAX_COUNT 9223372036854775807LL

enum { KIND_JACOCO = 0, KIND_CLOVER = 1 };
enum {
    T_NONE = 0,
    /* JaCoCo */
    T_REPORT, T_SESSIONINFO, T_GROUP, T_PACKAGE, T_CLASS, T_METHOD, T_COUNTER, T_SOURCEFILE,
    T_LINE,
    /* Clover */
    T_COVERAGE, T_PROJECT, T_TESTPROJECT, T_METRICS, T_FILE,
    T_COUNT_
};

static const char *tag_names[T_COUNT_] = {
    "", "report", "sessioninfo", "group", "package", "class", "method", "counter",
    "sourcefile", "line", "coverage", "project", "testproject", "metrics", "file",
};

/* An attribute value as str: decode_text, which declines raw \t \n \r (see there). */
static PyObject *decode_attr(const Attr *a, int *declined) {
    return decode_text(a->value, a->value_len, 1, declined);
}

/* An optional attribute as str, or None when absent. NULL: error or *declined. */
static PyObject *attr_or_none(const Attr *a, int *declined) {
    *declined = 0;
    if (!a) Py_RETURN_NONE;
    return decode_attr(a, declined);
}

/* An optional count: `dflt` when absent, else plain digits. */
static int opt_digits(const Attr *a, long long dflt, long long *out) {
    if (!a) {
        *out = dflt;
        return 0;
    }
    return parse_digits(a, out);
}

/* ---- the scanner object ------------------------------------------------------------ */

typedef struct {
    PyObject_HEAD
    int kind;
    long long max_per_line; /* JaCoCo: most mb or cb on a line */
    long long max_outcomes; /* JaCoCo: most outcomes in the report */
    int started, root_done, failed;
    int depth;
    unsigned char stack[MAX_DEPTH];
    PyObject *records; /* the current feed's records */
    /* JaCoCo */
    long long outcomes;
    PyObject *pkg, *cls_name, *cls_src, *methods;
    PyObject *m_name, *m_desc, *m_counter;
    long long m_line;
    PyObject *sf_name, *counters;
    long long last_nr;
    int cur_has_line;             /* the last line number has a line (known, with bytecode) */
    long long cur_next;           /* its next free branch index; -1: not seen yet */
    long long with_data, without_data, repeated; /* <line>s with/without mi/ci; repeats */
    Buf lines, hits, br_line, br_block, br_branch, br_taken;
    /* Clover */
    int has_project, in_test;
    long long visits[2];
    PyObject *f_path, *f_name, *f_methods;
    long long metrics[6];
    long long sum_tf, sum_t, nonzero, max_tf;
    Buf c_line, c_count, c_true, c_false;
} Scanner;

static void clear_jacoco(Scanner *s) {
    Py_CLEAR(s->pkg);
    Py_CLEAR(s->cls_name);
    Py_CLEAR(s->cls_src);
    Py_CLEAR(s->methods);
    Py_CLEAR(s->m_name);
    Py_CLEAR(s->m_desc);
    Py_CLEAR(s->m_counter);
    Py_CLEAR(s->sf_name);
    Py_CLEAR(s->counters);
}

static void clear_clover(Scanner *s) {
    Py_CLEAR(s->f_path);
    Py_CLEAR(s->f_name);
    Py_CLEAR(s->f_methods);
}

static void Scanner_dealloc(Scanner *s) {
    clear_jacoco(s);
    clear_clover(s);
    Py_CLEAR(s->records);
    buf_free(&s->lines);
    buf_free(&s->hits);
    buf_free(&s->br_line);
    buf_free(&s->br_block);
    buf_free(&s->br_branch);
    buf_free(&s->br_taken);
    buf_free(&s->c_line);
    buf_free(&s->c_count);
    buf_free(&s->c_true);
    buf_free(&s->c_false);
    Py_TYPE(s)->tp_free((PyObject *)s);
}

static int Scanner_init(Scanner *s, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"kind", "max_per_line", "max_outcomes", NULL};
    int kind;
    long long per_line = 0, outcomes = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "i|LL", kwlist, &kind, &per_line, &outcomes)) return -1;
    if (kind != KIND_JACOCO && kind != KIND_CLOVER) {
        PyErr_SetString(PyExc_ValueError, "Scanner: kind is 0 (JaCoCo) or 1 (Clover)");
        return -1;
    }
    s->kind = kind;
    s->max_per_line = per_line;
    s->max_outcomes = outcomes;
    return 0;
}

static int emit(Scanner *s, PyObject *record) {
    if (!record) return SC_ERROR;
    int r = PyList_Append(s->records, record);
    Py_DECREF(record);
    return r < 0 ? SC_ERROR : SC_OK;
}

/* ---- JaCoCo ------------------------------------------------------------------------- */

/* Which children each element may have (anything else: decline). */
static int jacoco_allowed(int parent, int tag) {
    switch (parent) {
    case T_NONE: return tag == T_REPORT;
    case T_REPORT: return tag == T_SESSIONINFO || tag == T_GROUP || tag == T_PACKAGE || tag == T_COUNTER;
    case T_GROUP: return tag == T_GROUP || tag == T_PACKAGE || tag == T_COUNTER;
    case T_PACKAGE: return tag == T_CLASS || tag == T_SOURCEFILE || tag == T_COUNTER;
    case T_CLASS: return tag == T_METHOD || tag == T_COUNTER;
    case T_METHOD: return tag == T_COUNTER;
    case T_SOURCEFILE: return tag == T_LINE || tag == T_COUNTER;
    default: return 0;
    }
}

/* A <counter>'s type (str), missed and covered, all strictly; NULL with *declined. */
static PyObject *counter_tuple(const Attr *attrs, int n, int *declined) {
    const Attr *ta = find_attr(attrs, n, "type"), *ma = find_attr(attrs, n, "missed"),
               *ca = find_attr(attrs, n, "covered");
    long long missed, covered;
    *declined = 1;
    if (!ma || !ca || parse_digits(ma, &missed) < 0 || parse_digits(ca, &covered) < 0) return NULL;
    PyObject *type = ta ? decode_attr(ta, declined) : PyUnicode_FromString("");
    if (!type) return NULL;
    *declined = 0;
    return Py_BuildValue("(NLL)", type, missed, covered);
}

static int jacoco_start(Scanner *s, int tag, int parent, const Attr *attrs, int n) {
    int declined = 0;
    switch (tag) {
    case T_PACKAGE: {
        const Attr *na = find_attr(attrs, n, "name");
        s->pkg = na ? decode_attr(na, &declined) : PyUnicode_FromString("");
        if (!s->pkg) return declined ? SC_DECLINE : SC_ERROR;
        return SC_OK;
    }
    case T_CLASS:
        s->cls_name = attr_or_none(find_attr(attrs, n, "name"), &declined);
        if (!s->cls_name) return declined ? SC_DECLINE : SC_ERROR;
        s->cls_src = attr_or_none(find_attr(attrs, n, "sourcefilename"), &declined);
        if (!s->cls_src) return declined ? SC_DECLINE : SC_ERROR;
        s->methods = PyList_New(0);
        return s->methods ? SC_OK : SC_ERROR;
    case T_METHOD: {
        const Attr *la = find_attr(attrs, n, "line");
        s->m_line = -1;
        if (la && parse_digits(la, &s->m_line) < 0) return SC_DECLINE;
        s->m_name = attr_or_none(find_attr(attrs, n, "name"), &declined);
        if (!s->m_name) return declined ? SC_DECLINE : SC_ERROR;
        s->m_desc = attr_or_none(find_attr(attrs, n, "desc"), &declined);
        if (!s->m_desc) return declined ? SC_DECLINE : SC_ERROR;
        return SC_OK;
    }
    case T_COUNTER: {
        /* Only a method's and a sourcefile's own counters are read by the reader. */
        if (parent != T_METHOD && parent != T_SOURCEFILE) return SC_OK;
        PyObject *t = counter_tuple(attrs, n, &declined);
        if (!t) return declined ? SC_DECLINE : SC_ERROR;
        if (parent == T_SOURCEFILE) {
            int r = PyList_Append(s->counters, t);
            Py_DECREF(t);
            return r < 0 ? SC_ERROR : SC_OK;
        }
        if (PyUnicode_CompareWithASCIIString(PyTuple_GET_ITEM(t, 0), "METHOD") == 0) {
            PyObject *mc = PyTuple_GetSlice(t, 1, 3); /* the last one wins, as in a dict */
            Py_DECREF(t);
            if (!mc) return SC_ERROR;
            Py_XSETREF(s->m_counter, mc);
        } else {
            Py_DECREF(t);
        }
        return SC_OK;
    }
    case T_SOURCEFILE: {
        const Attr *na = find_attr(attrs, n, "name");
        if (!na || na->value_len == 0) return SC_DECLINE;
        s->sf_name = decode_attr(na, &declined);
        if (!s->sf_name) return declined ? SC_DECLINE : SC_ERROR;
        s->counters = PyList_New(0);
        if (!s->counters) return SC_ERROR;
        s->last_nr = 0;
        s->cur_has_line = 0;
        s->cur_next = -1;
        s->with_data = s->without_data = s->repeated = 0;
        return SC_OK;
    }
    case T_LINE: {
        const Attr *na = find_attr(attrs, n, "nr"), *mia = find_attr(attrs, n, "mi"),
                   *cia = find_attr(attrs, n, "ci");
        long long nr, mi = 0, ci = 0, mb, cb;
        if (!na || parse_digits(na, &nr) < 0 || nr < 1 || nr > MAX_LINE_NO) return SC_DECLINE;
        /* Ascending numbers; a number may repeat right after itself (gcovr 8.4+ writes a
         * line once per function instance): one line, its outcomes following each
         * other. Anything out of order is left to the reader's rules. */
        if (nr < s->last_nr) return SC_DECLINE;
        if (nr != s->last_nr) {
            s->last_nr = nr;
            s->cur_has_line = 0;
            s->cur_next = -1;
        }
        int known = mia || cia; /* gcovr writes neither: only branch counts */
        /* An empty mi="" or ci="" reads as 0 ("mi_raw or '0'"). */
        if (mia && mia->value_len && parse_digits(mia, &mi) < 0) return SC_DECLINE;
        if (cia && cia->value_len && parse_digits(cia, &ci) < 0) return SC_DECLINE;
        if (opt_digits(find_attr(attrs, n, "mb"), 0, &mb) < 0 ||
            opt_digits(find_attr(attrs, n, "cb"), 0, &cb) < 0)
            return SC_DECLINE;
        if (mb > s->max_per_line || cb > s->max_per_line) return SC_DECLINE;
        if (s->cur_next >= 0) s->repeated++; /* a line number already seen */
        int32_t ln = (int32_t)nr;
        int ran;
        if (known) {
            s->with_data++;
            if (mi == 0 && ci == 0) return SC_OK; /* no bytecode on this line */
            int64_t hit = ci > 0 ? 1 : 0;
            if (s->cur_has_line) {
                ((int64_t *)s->hits.data)[s->hits.len / 8 - 1] += hit;
            } else {
                if (buf_put(&s->lines, &ln, 4) < 0 || buf_put(&s->hits, &hit, 8) < 0) return SC_ERROR;
                s->cur_has_line = 1;
            }
            ran = ci > 0;
        } else {
            s->without_data++;
            ran = cb > 0; /* a covered branch ran; else never evaluated */
        }
        long long total = mb + cb;
        s->outcomes += total;
        if (s->outcomes > s->max_outcomes) return SC_DECLINE; /* the reader's error */
        int32_t zero = 0, first = s->cur_next >= 0 ? (int32_t)s->cur_next : 0;
        for (int32_t i = 0; i < (int32_t)total; i++) {
            int64_t taken = ran ? (i < cb ? 1 : 0) : -1;
            int32_t branch = first + i;
            if (buf_put(&s->br_line, &ln, 4) < 0 || buf_put(&s->br_block, &zero, 4) < 0 ||
                buf_put(&s->br_branch, &branch, 4) < 0 || buf_put(&s->br_taken, &taken, 8) < 0)
                return SC_ERROR;
        }
        s->cur_next = first + total;
        return SC_OK;
    }
    default:
        return SC_OK;
    }
}

static int jacoco_end(Scanner *s, int tag) {
    switch (tag) {
    case T_PACKAGE: {
        PyObject *rec = Py_BuildValue("(iO)", 3, s->pkg);
        Py_CLEAR(s->pkg);
        return emit(s, rec);
    }
    case T_CLASS: {
        PyObject *rec = Py_BuildValue("(iOOOO)", 1, s->pkg, s->cls_name, s->cls_src, s->methods);
        Py_CLEAR(s->cls_name);
        Py_CLEAR(s->cls_src);
        Py_CLEAR(s->methods);
        return emit(s, rec);
    }
    case T_METHOD: {
        /* A method with a line needs a METHOD counter (else the reader's error). */
        if (s->m_line > 0 && !s->m_counter) return SC_DECLINE;
        PyObject *t = Py_BuildValue("(OOLO)", s->m_name, s->m_desc, s->m_line,
                                    s->m_counter ? s->m_counter : Py_None);
        Py_CLEAR(s->m_name);
        Py_CLEAR(s->m_desc);
        Py_CLEAR(s->m_counter);
        if (!t) return SC_ERROR;
        int r = PyList_Append(s->methods, t);
        Py_DECREF(t);
        return r < 0 ? SC_ERROR : SC_OK;
    }
    case T_SOURCEFILE: {
        PyObject *a[6];
        Buf *const bufs[6] = {&s->lines, &s->hits, &s->br_line, &s->br_block, &s->br_branch, &s->br_taken};
        if (make_arrays(a, 6, "iqiiiq", bufs) < 0) return SC_ERROR;
        PyObject *rec = Py_BuildValue("(iOONNNNNNOLLL)", 2, s->pkg, s->sf_name, a[0], a[1], a[2],
                                      a[3], a[4], a[5], s->counters, s->with_data, s->without_data,
                                      s->repeated);
        Py_CLEAR(s->sf_name);
        Py_CLEAR(s->counters);
        return emit(s, rec);
    }
    default:
        return SC_OK;
    }
}

/* ---- Clover ------------------------------------------------------------------------- */

static int clover_allowed(int parent, int tag) {
    switch (parent) {
    case T_NONE: return tag == T_COVERAGE;
    case T_COVERAGE: return tag == T_PROJECT || tag == T_TESTPROJECT;
    case T_PROJECT:
    case T_TESTPROJECT: return tag == T_METRICS || tag == T_PACKAGE || tag == T_FILE;
    case T_PACKAGE: return tag == T_METRICS || tag == T_FILE;
    case T_FILE: return tag == T_METRICS || tag == T_CLASS || tag == T_LINE;
    case T_CLASS: return tag == T_METRICS;
    default: return 0;
    }
}

static const char *metric_names[6] = {"statements", "coveredstatements", "conditionals",
                                      "coveredconditionals", "methods", "coveredmethods"};

static int clover_start(Scanner *s, int tag, int parent, const Attr *attrs, int n) {
    int declined = 0;
    switch (tag) {
    case T_COVERAGE: {
        PyObject *v = attr_or_none(find_attr(attrs, n, "clover"), &declined);
        if (!v) return declined ? SC_DECLINE : SC_ERROR;
        return emit(s, Py_BuildValue("(iN)", 0, v));
    }
    case T_PROJECT:
        s->has_project = 1;
        return SC_OK;
    case T_TESTPROJECT:
        s->has_project = 1;
        s->in_test = 1; /* its files hold test code: skipped, as the reader does */
        return SC_OK;
    case T_FILE:
        if (s->in_test) return SC_OK;
        s->f_path = attr_or_none(find_attr(attrs, n, "path"), &declined);
        if (!s->f_path) return declined ? SC_DECLINE : SC_ERROR;
        s->f_name = attr_or_none(find_attr(attrs, n, "name"), &declined);
        if (!s->f_name) return declined ? SC_DECLINE : SC_ERROR;
        if ((s->f_path == Py_None || PyUnicode_GET_LENGTH(s->f_path) == 0) &&
            (s->f_name == Py_None || PyUnicode_GET_LENGTH(s->f_name) == 0))
            return SC_DECLINE;
        s->f_methods = PyList_New(0);
        if (!s->f_methods) return SC_ERROR;
        for (int i = 0; i < 6; i++) s->metrics[i] = -1;
        s->sum_tf = s->sum_t = s->nonzero = s->max_tf = 0;
        s->last_nr = 0;
        s->repeated = 0;
        return SC_OK;
    case T_METRICS:
        if (parent != T_FILE || s->in_test) return SC_OK; /* only a file's own are read */
        for (int i = 0; i < 6; i++) { /* the file's last <metrics> is the one read */
            if (opt_digits(find_attr(attrs, n, metric_names[i]), -1, &s->metrics[i]) < 0) return SC_DECLINE;
        }
        return SC_OK;
    case T_LINE: {
        if (s->in_test) return SC_OK;
        const Attr *na = find_attr(attrs, n, "num"), *ta = find_attr(attrs, n, "type");
        long long num;
        if (!na || parse_digits(na, &num) < 0 || num < 1 || num > MAX_LINE_NO) return SC_DECLINE;
        int kind; /* 0 stmt, 1 cond, 2 method */
        if (!ta || name_is(ta->value, ta->value_len, "stmt")) kind = 0;
        else if (name_is(ta->value, ta->value_len, "cond")) kind = 1;
        else if (name_is(ta->value, ta->value_len, "method")) kind = 2;
        else return SC_DECLINE;
        const Attr *ca = find_attr(attrs, n, "count");
        long long count;
        if (kind == 2) {
            if (opt_digits(ca, 0, &count) < 0) return SC_DECLINE;
            PyObject *name = attr_or_none(find_attr(attrs, n, "name"), &declined);
            if (!name) return declined ? SC_DECLINE : SC_ERROR;
            PyObject *sig = attr_or_none(find_attr(attrs, n, "signature"), &declined);
            if (!sig) {
                Py_DECREF(name);
                return declined ? SC_DECLINE : SC_ERROR;
            }
            PyObject *t = Py_BuildValue("(NNLL)", name, sig, num, count);
            if (!t) return SC_ERROR;
            int r = PyList_Append(s->f_methods, t);
            Py_DECREF(t);
            return r < 0 ? SC_ERROR : SC_OK;
        }
        /* stmt/cond numbers in ascending order; a number may hold one stmt and one cond
         * (OpenClover 4.3 writes both for an `if` line: one line, visited as often as
         * the more frequent of the two). A kind repeated on one number (gcovr's function
         * instances) is left to the reader's rules. */
        int merge = num == s->last_nr;
        if (num < s->last_nr) return SC_DECLINE;
        if (!merge) {
            s->last_nr = num;
            s->visits[0] = s->visits[1] = -1;
        }
        int32_t ln = (int32_t)num;
        if (kind == 0) {
            if (!ca || parse_digits(ca, &count) < 0) return SC_DECLINE;
        } else {
            long long t, f;
            if (opt_digits(find_attr(attrs, n, "truecount"), 0, &t) < 0 ||
                opt_digits(find_attr(attrs, n, "falsecount"), 0, &f) < 0)
                return SC_DECLINE;
            if (ca) {
                if (parse_digits(ca, &count) < 0) return SC_DECLINE;
            } else {
                count = t + f;
            }
            s->sum_tf += t + f;
            s->sum_t += t;
            s->nonzero += (t > 0) + (f > 0);
            if (t + f > s->max_tf) s->max_tf = t + f;
            if (s->sum_tf > SUM_LIMIT) return SC_DECLINE;
            int64_t c64 = count, t64 = t, f64 = f;
            if (buf_put(&s->c_line, &ln, 4) < 0 || buf_put(&s->c_count, &c64, 8) < 0 ||
                buf_put(&s->c_true, &t64, 8) < 0 || buf_put(&s->c_false, &f64, 8) < 0)
                return SC_ERROR;
        }
        /* The number's stmt and cond visits, -1 while absent; a repeated kind adds up
         * (saturating), the line is visited as often as the larger. */
        long long *v = &s->visits[kind];
        if (*v >= 0) {
            s->repeated++;
            *v = *v > MAX_COUNT - count ? MAX_COUNT : *v + count;
        } else {
            *v = count;
        }
        int64_t h = s->visits[0] > s->visits[1] ? s->visits[0] : s->visits[1];
        if (merge) {
            ((int64_t *)s->hits.data)[s->hits.len / 8 - 1] = h;
            return SC_OK;
        }
        if (buf_put(&s->lines, &ln, 4) < 0 || buf_put(&s->hits, &h, 8) < 0) return SC_ERROR;
        return SC_OK;
    }
    default:
        return SC_OK;
    }
}

static int clover_end(Scanner *s, int tag) {
    if (tag == T_TESTPROJECT) {
        s->in_test = 0;
        return SC_OK;
    }
    if (tag != T_FILE || s->in_test) return SC_OK;
    {
        /* A cond line ran when its line did (its own count or its stmt's): the count
         * column becomes the line's visits, which is what expand_clover reads. */
        const int32_t *ln = (const int32_t *)s->lines.data;
        const int64_t *hits = (const int64_t *)s->hits.data;
        const int32_t *cl = (const int32_t *)s->c_line.data;
        int64_t *ran = (int64_t *)s->c_count.data;
        Py_ssize_t n_lines = s->lines.len / 4, n_conds = s->c_line.len / 4, j = 0;
        for (Py_ssize_t i = 0; i < n_conds; i++) {
            while (j < n_lines && ln[j] < cl[i]) j++;
            if (j >= n_lines || ln[j] != cl[i]) return SC_DECLINE; /* cannot happen */
            ran[i] = hits[j];
        }
    }
    PyObject *a[6];
    Buf *const bufs[6] = {&s->lines, &s->hits, &s->c_line, &s->c_count, &s->c_true, &s->c_false};
    if (make_arrays(a, 6, "iqiqqq", bufs) < 0) return SC_ERROR;
    PyObject *rec = Py_BuildValue("(iOONNNNNNO(LLLLLL)(LLLL)L)", 1, s->f_path, s->f_name, a[0], a[1],
                                  a[2], a[3], a[4], a[5], s->f_methods, s->metrics[0], s->metrics[1],
                                  s->metrics[2], s->metrics[3], s->metrics[4], s->metrics[5], s->sum_tf,
                                  s->sum_t, s->nonzero, s->max_tf, s->repeated);
    clear_clover(s);
    return emit(s, rec);
}

/* ---- the scan loop (its tokens are read by _xml_scan.h) ---------------------------- */

static int tag_id(const unsigned char *name, Py_ssize_t len) {
    for (int t = 1; t < T_COUNT_; t++)
        if (name_is(name, len, tag_names[t])) return t;
    return T_NONE;
}

/* Scan as much of [p, end) as forms whole tokens; *consumed is where the next piece
 * must start. SC_OK (scanned all it could), SC_DECLINE, SC_ERROR. */
static int scan_piece(Scanner *s, Cur *c, Py_ssize_t *consumed, const unsigned char *base) {
    Attr attrs[MAX_ATTRS];
    int r;
    /* A token cut by the piece's end is scanned again with the next piece; one that is
     * already longer than MAX_TOKEN (whitespace inside a tag, say) is declined, so the
     * caller's buffer stays bounded. */
#define STOP(x)                                          \
    do {                                                 \
        int rr_ = (x);                                   \
        if (rr_ == SC_MORE) {                            \
            if (c->end - c->p > MAX_TOKEN) return SC_DECLINE; \
            *consumed = c->p - base;                     \
            return SC_OK;                                \
        }                                                \
        return rr_;                                      \
    } while (0)
    if (!s->started) {
        r = prolog(c);
        if (r != SC_OK) {
            /* Perhaps cut at the piece's end: try again with more, up to the 1 MiB the
             * lxml path allows a prolog (it refuses longer ones). */
            if (!c->final && c->end - base < (1 << 20)) {
                *consumed = 0;
                return SC_OK;
            }
            return r;
        }
        s->started = 1;
    }
    *consumed = c->p - base;
    while (c->p < c->end) {
        if (s->root_done) {
            while (c->p < c->end && is_space[*c->p]) c->p++;
            *consumed = c->p - base;
            if (c->p >= c->end) break;
            if (c->end - c->p < 4) STOP(MORE_OR_DECLINE(c));
            if (memcmp(c->p, "<!--", 4) != 0) return SC_DECLINE;
            if ((r = skip_comment(c)) != SC_OK) STOP(r);
            *consumed = c->p - base;
            continue;
        }
        const unsigned char *t0 = c->p;
        const unsigned char *lt = memchr(c->p, '<', (size_t)(c->end - c->p));
        if (!lt) {
            if (c->end - t0 > MAX_VALUE) return SC_DECLINE;
            STOP(MORE_OR_DECLINE(c));
        }
        if (lt > t0) {
            if (lt - t0 > MAX_VALUE || check_chars(t0, lt, 0) < 0) return SC_DECLINE;
            if (s->depth == 0) return SC_DECLINE;
        }
        c->p = lt;
        if (c->end - c->p < 2) STOP(MORE_OR_DECLINE(c));
        unsigned char ch = c->p[1];
        if (ch == '/') {
            const unsigned char *n0 = c->p + 2, *p = n0;
            while (p < c->end && is_name_char[*p]) p++;
            Py_ssize_t nl = p - n0;
            while (p < c->end && is_space[*p]) p++;
            if (p >= c->end) STOP(MORE_OR_DECLINE(c));
            if (*p != '>' || s->depth == 0) return SC_DECLINE;
            int tag = s->stack[s->depth - 1];
            if (!name_is(n0, nl, tag_names[tag])) return SC_DECLINE;
            c->p = p + 1;
            s->depth--;
            r = s->kind == KIND_JACOCO ? jacoco_end(s, tag) : clover_end(s, tag);
            if (r != SC_OK) return r;
            if (s->depth == 0) s->root_done = 1;
            *consumed = c->p - base;
            continue;
        }
        if (ch == '!') {
            if (c->end - c->p < 4) STOP(MORE_OR_DECLINE(c));
            if (memcmp(c->p, "<!--", 4) != 0) return SC_DECLINE; /* CDATA, DOCTYPE out of place */
            if ((r = skip_comment(c)) != SC_OK) STOP(r);
            *consumed = c->p - base;
            continue;
        }
        if (!is_name_start[ch]) return SC_DECLINE; /* processing instruction, junk */
        const unsigned char *name;
        Py_ssize_t nl;
        int n, empty;
        r = start_tag(c, &name, &nl, attrs, &n, &empty);
        if (r != SC_OK) STOP(r);
        int tag = tag_id(name, nl);
        int parent = s->depth ? s->stack[s->depth - 1] : T_NONE;
        if (s->kind == KIND_JACOCO) {
            if (!jacoco_allowed(parent, tag)) return SC_DECLINE;
            r = jacoco_start(s, tag, parent, attrs, n);
        } else {
            if (!clover_allowed(parent, tag)) return SC_DECLINE;
            r = clover_start(s, tag, parent, attrs, n);
        }
        if (r != SC_OK) return r;
        if (empty) {
            r = s->kind == KIND_JACOCO ? jacoco_end(s, tag) : clover_end(s, tag);
            if (r != SC_OK) return r;
            if (s->depth == 0) s->root_done = 1;
        } else {
            if (s->depth >= MAX_DEPTH) return SC_DECLINE;
            s->stack[s->depth++] = (unsigned char)tag;
        }
        *consumed = c->p - base;
    }
#undef STOP
    return SC_OK;
}

static PyObject *Scanner_feed(Scanner *s, PyObject *args) {
    Py_buffer view;
    int final;
    if (!PyArg_ParseTuple(args, "y*p", &view, &final)) return NULL;
    if (s->failed) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_RuntimeError, "Scanner.feed after it declined or failed");
        return NULL;
    }
    Cur c;
    c.p = view.buf;
    c.end = c.p + view.len;
    c.final = final;
    s->records = PyList_New(0);
    PyObject *result = NULL;
    if (!s->records) goto done;
    Py_ssize_t consumed = 0;
    int r = scan_piece(s, &c, &consumed, view.buf);
    if (r == SC_ERROR) goto done;
    if (r == SC_OK && final) {
        /* The whole document: the root closed, nothing left over. */
        if (!s->root_done || consumed != view.len) r = SC_DECLINE;
        if (s->kind == KIND_CLOVER && !s->has_project) r = SC_DECLINE;
    }
    if (r == SC_DECLINE) {
        s->failed = 1;
        Py_INCREF(Py_None);
        result = Py_None;
        goto done;
    }
    result = Py_BuildValue("(nO)", consumed, s->records);
done:
    if (!result) s->failed = 1;
    Py_CLEAR(s->records);
    PyBuffer_Release(&view);
    return result;
}

/* expand_clover(line 'i', ran 'q', true 'q', false 'q', istanbul) -> branch columns.
 * Per cond line: Istanbul's reading gives `true` outcomes taken once then `false` not
 * taken; OpenClover's gives two outcomes taken `true` and `false` times; all are never
 * evaluated (-1) when the line did not run (ran == 0). Lines ascend; a repeated line's
 * outcomes follow the previous one's. */
static PyObject *expand_clover(PyObject *module, PyObject *args) {
    (void)module;
    PyObject *objs[4];
    int istanbul;
    if (!PyArg_ParseTuple(args, "OOOOp", &objs[0], &objs[1], &objs[2], &objs[3], &istanbul)) return NULL;
    Py_buffer v[4];
    int got = 0;
    PyObject *result = NULL;
    Buf out[4] = {{0}};
    Py_ssize_t n = get_columns("expand_clover", objs, v, &got);
    if (n < 0) goto done;
    const int32_t *line = v[0].buf;
    const int64_t *ran = v[1].buf, *tc = v[2].buf, *fc = v[3].buf;
    int32_t next = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (tc[i] < 0 || fc[i] < 0 || (istanbul && tc[i] + fc[i] > 0x7FFFFFFF)) {
            PyErr_SetString(PyExc_ValueError, "expand_clover: outcome counts out of range");
            goto done;
        }
        int32_t k = 0;
        int32_t count = istanbul ? (int32_t)(tc[i] + fc[i]) : 2;
        /* A cond repeating its line (gcovr) numbers its outcomes after the previous. */
        if (i > 0 && line[i] < line[i - 1]) {
            PyErr_SetString(PyExc_ValueError, "expand_clover: lines out of order");
            goto done;
        }
        int32_t first = i > 0 && line[i] == line[i - 1] ? next : 0;
        next = first + count;
        for (; k < count; k++) {
            int32_t branch = first + k;
            int64_t taken;
            if (ran[i] <= 0) taken = -1;
            else if (istanbul) taken = k < tc[i] ? 1 : 0;
            else taken = k == 0 ? tc[i] : fc[i];
            if (put_outcome(out, line[i], branch, taken) < 0) goto done;
        }
    }
    result = branch_arrays(out);
done:
    release_columns(v, got, out);
    return result;
}

static PyMethodDef Scanner_methods[] = {
    {"feed", (PyCFunction)Scanner_feed, METH_VARARGS,
     "feed(data, final) -> (consumed, records), or None when the lxml path must decide."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject ScannerType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "covgap._xml_speedups.Scanner",
    .tp_basicsize = sizeof(Scanner),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Scanner(kind, max_per_line=0, max_outcomes=0): a resumable JaCoCo (0) or Clover (1) scan.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Scanner_init,
    .tp_dealloc = (destructor)Scanner_dealloc,
    .tp_methods = Scanner_methods,
};

static PyMethodDef module_methods[] = {
    {"expand_clover", expand_clover, METH_VARARGS,
     "expand_clover(line, ran, true, false, istanbul) -> (line, block, branch, taken) arrays."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "covgap._xml_speedups",
    "Strict streaming scanners for JaCoCo and Clover XML (see covgap.formats.jacoco, .clover).", -1,
    module_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__xml_speedups(void) {
    if (xml_scan_init() < 0) return NULL;
    if (PyType_Ready(&ScannerType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module_def);
    if (!m) return NULL;
    Py_INCREF(&ScannerType);
    if (PyModule_AddObject(m, "Scanner", (PyObject *)&ScannerType) < 0) {
        Py_DECREF(&ScannerType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
