/*
 * covgap._cobertura_speedups: a strict scanner for the Cobertura XML real producers write.
 *
 * Why: streaming a 173 MB report (10,000 files, 4 million <line> elements) through
 * lxml's iterparse costs ~7 s before covgap does anything with an element; the issue
 * asks for ~3 s. This scanner reads the whole document in one pass over the bytes and
 * builds the per-class columns covgap.formats.cobertura needs (ClassData fields).
 *
 * Contract: scan(data: bytes) returns (header, sources, classes) exactly as
 * covgap.formats.cobertura.read_lxml would, or None. None means "not sure": anything
 * outside the subset below -- CDATA, processing instructions after the XML
 * declaration, a DOCTYPE with an internal subset, entity references other than the
 * five predefined ones, namespaces, raw tabs/newlines inside extracted attribute
 * values, numbers with signs, spaces, decimals or more than 18 digits, a
 * non-UTF-8 encoding, any well-formedness doubt -- and the lxml path reads the
 * document instead and decides, including every error message. The scanner never
 * raises for bad input; it only declines.
 *
 * Subset accepted: UTF-8 (optional BOM, XML declaration naming utf-8/ascii or no
 * encoding), comments, one DOCTYPE without internal subset, elements with quoted
 * attributes, text with &lt; &gt; &amp; &quot; &apos; and &#N; / &#xH; references.
 * Well-formedness is checked as far as this subset needs: matching end tags,
 * duplicate attributes, legal characters and UTF-8, nothing but comments and
 * whitespace around the root element. The tokenizer is covgap/_xml_scan.h, shared with
 * covgap/_xml_speedups.c; this scanner has the whole document, so it runs it final.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "_xml_scan.h"

#define MAX_OUTCOMES_PER_LINE 65536LL

/* Scanner state: one document. */
typedef struct {
    Cur c; /* the position in the document, which is whole (final) */
    /* current class */
    int in_class;
    PyObject *filename;
    Buf lines, hits, br_line, br_hits, br_cov, br_tot;
    int sorted_unique;
    long long last;
    PyObject *methods;
    PyObject *missing; /* line -> raw missing-branches value (coverage.py's unmet arcs) */
    long long methods_without_lines;
    /* current method */
    int in_method;
    PyObject *method_name, *method_sig;
    long long method_hits; /* -1: no hits attribute */
    int method_has_line;
    long long method_first, method_first_hits;
    /* results */
    PyObject *header; /* tuple of 5 */
    PyObject *sources;
    PyObject *classes;
    int in_line;
} Scan;

/* condition-coverage "P% (c/t)" with P digits[.digits]; spaces as the Python regex allows. */
static int parse_condition(const Attr *a, long long *covered, long long *total) {
    const unsigned char *p = a->value, *e = a->value + a->value_len;
    while (p < e && *p == ' ') p++;
    if (p >= e || *p < '0' || *p > '9') return -1;
    while (p < e && *p >= '0' && *p <= '9') p++;
    if (p < e && *p == '.') {
        p++;
        if (p >= e || *p < '0' || *p > '9') return -1;
        while (p < e && *p >= '0' && *p <= '9') p++;
    }
    while (p < e && *p == ' ') p++;
    if (p >= e || *p != '%') return -1;
    p++;
    while (p < e && *p == ' ') p++;
    if (p >= e || *p != '(') return -1;
    p++;
    while (p < e && *p == ' ') p++;
    long long c = 0, t = 0;
    int nd = 0;
    while (p < e && *p >= '0' && *p <= '9' && nd < 18) c = c * 10 + (*p++ - '0'), nd++;
    if (!nd || (p < e && *p >= '0' && *p <= '9')) return -1;
    while (p < e && *p == ' ') p++;
    if (p >= e || *p != '/') return -1;
    p++;
    while (p < e && *p == ' ') p++;
    nd = 0;
    while (p < e && *p >= '0' && *p <= '9' && nd < 18) t = t * 10 + (*p++ - '0'), nd++;
    if (!nd || (p < e && *p >= '0' && *p <= '9')) return -1;
    while (p < e && *p == ' ') p++;
    if (p >= e || *p != ')') return -1;
    p++;
    while (p < e && *p == ' ') p++;
    if (p != e) return -1;
    if (c > t || t > MAX_OUTCOMES_PER_LINE) return -1;
    *covered = c;
    *total = t;
    return 0;
}

static void reset_class(Scan *s) {
    Py_CLEAR(s->filename);
    Py_CLEAR(s->methods);
    Py_CLEAR(s->missing);
    s->lines.len = s->hits.len = 0;
    s->br_line.len = s->br_hits.len = s->br_cov.len = s->br_tot.len = 0;
    s->in_class = 0;
}

/* Return 1 handled, 0 decline, -1 Python error. */
static int class_start(Scan *s, const Attr *attrs, int n) {
    if (s->in_class) return 0; /* nested <class>: lxml decides */
    const Attr *fa = find_attr(attrs, n, "filename");
    if (!fa || fa->value_len == 0) return 0;
    int declined;
    s->filename = decode_text(fa->value, fa->value_len, 1, &declined);
    if (!s->filename) return declined ? 0 : -1;
    s->methods = PyList_New(0);
    if (!s->methods) return -1;
    s->missing = PyDict_New();
    if (!s->missing) return -1;
    s->in_class = 1;
    s->sorted_unique = 1;
    s->last = 0;
    s->methods_without_lines = 0;
    return 1;
}

static int class_end(Scan *s) {
    PyObject *a[6];
    Buf *const bufs[6] = {&s->lines, &s->hits, &s->br_line, &s->br_hits, &s->br_cov, &s->br_tot};
    if (make_arrays(a, 6, "iqiqqq", bufs) < 0) return -1;
    PyObject *t = Py_BuildValue("(ONNONNNNOLO)", s->filename, a[0], a[1],
                                s->sorted_unique ? Py_True : Py_False, a[2], a[3], a[4], a[5],
                                s->methods, s->methods_without_lines, s->missing);
    if (!t) return -1;
    int r = PyList_Append(s->classes, t);
    Py_DECREF(t);
    reset_class(s);
    return r < 0 ? -1 : 1;
}

static int method_start(Scan *s, const Attr *attrs, int n) {
    if (!s->in_class || s->in_method) return 0;
    const Attr *na = find_attr(attrs, n, "name"), *sa = find_attr(attrs, n, "signature");
    const Attr *ha = find_attr(attrs, n, "hits");
    int declined = 0;
    s->method_name = na ? decode_text(na->value, na->value_len, 1, &declined) : PyUnicode_FromString("");
    if (!s->method_name) return declined ? 0 : -1;
    s->method_sig = sa ? decode_text(sa->value, sa->value_len, 1, &declined) : PyUnicode_FromString("");
    if (!s->method_sig) {
        Py_CLEAR(s->method_name);
        return declined ? 0 : -1;
    }
    s->method_hits = -1;
    if (ha && parse_digits(ha, &s->method_hits) < 0) {
        Py_CLEAR(s->method_name);
        Py_CLEAR(s->method_sig);
        return 0;
    }
    s->in_method = 1;
    s->method_has_line = 0;
    return 1;
}

static int method_end(Scan *s) {
    int r = 1;
    if (s->method_has_line) {
        long long hits = s->method_hits >= 0 ? s->method_hits : s->method_first_hits;
        PyObject *t = Py_BuildValue("(OOLL)", s->method_name, s->method_sig, s->method_first, hits);
        if (!t || PyList_Append(s->methods, t) < 0) r = -1;
        Py_XDECREF(t);
    } else {
        s->methods_without_lines++;
    }
    Py_CLEAR(s->method_name);
    Py_CLEAR(s->method_sig);
    s->in_method = 0;
    return r;
}

static int line_start(Scan *s, const Attr *attrs, int n) {
    if (!s->in_class || s->in_line) return 0;
    const Attr *na = find_attr(attrs, n, "number"), *ha = find_attr(attrs, n, "hits");
    long long number, hits;
    if (!na || !ha || parse_digits(na, &number) < 0 || parse_digits(ha, &hits) < 0) return 0;
    if (number < 1 || number > MAX_LINE_NO) return 0;
    if (s->in_method) {
        if (!s->method_has_line || number < s->method_first ||
            (number == s->method_first && hits < s->method_first_hits)) {
            s->method_first = number;
            s->method_first_hits = hits;
        }
        s->method_has_line = 1;
        return 1;
    }
    int32_t ln = (int32_t)number;
    int64_t h = hits;
    if (buf_put(&s->lines, &ln, 4) < 0 || buf_put(&s->hits, &h, 8) < 0) return -1;
    if (number <= s->last) s->sorted_unique = 0;
    s->last = number;
    const Attr *ca = find_attr(attrs, n, "condition-coverage");
    if (ca) {
        const Attr *ba = find_attr(attrs, n, "branch");
        if (ba && !name_is(ba->value, ba->value_len, "true")) {
            if (!name_is(ba->value, ba->value_len, "false")) return 0;
            return 1;
        }
        long long c, t;
        if (parse_condition(ca, &c, &t) < 0) return 0;
        if (t > 0) {
            int64_t c64 = c, t64 = t;
            if (buf_put(&s->br_line, &ln, 4) < 0 || buf_put(&s->br_hits, &h, 8) < 0 ||
                buf_put(&s->br_cov, &c64, 8) < 0 || buf_put(&s->br_tot, &t64, 8) < 0)
                return -1;
            /* coverage.py's destinations of the arcs not taken; parsed in Python
             * (covgap.formats.cobertura.parse_missing), which both paths share. */
            const Attr *ma = find_attr(attrs, n, "missing-branches");
            if (ma) {
                int declined = 0;
                PyObject *raw = decode_text(ma->value, ma->value_len, 1, &declined);
                if (!raw) return declined ? 0 : -1;
                PyObject *key = PyLong_FromLong((long)ln);
                int bad = !key || PyDict_SetItem(s->missing, key, raw) < 0;
                Py_XDECREF(key);
                Py_DECREF(raw);
                if (bad) return -1;
            }
        }
    }
    return 1;
}

/* The scan loop. Its tokens are read by _xml_scan.h; the loop is not shared with
 * _xml_speedups.c's scan_piece, which must stop and resume at a piece's end: this one has
 * the whole document, compares end tags with the names on its stack and keeps the text
 * of <source> elements. */
static int run(Scan *s) {
    const unsigned char *stack_name[MAX_DEPTH];
    Py_ssize_t stack_len[MAX_DEPTH];
    int depth = 0;
    int root_done = 0;
    int in_source = 0;
    Attr attrs[MAX_ATTRS];
    int r;
    if (prolog(&s->c) != SC_OK) return 0;
    while (s->c.p < s->c.end) {
        if (root_done) {
            while (s->c.p < s->c.end && is_space[*s->c.p]) s->c.p++;
            if (s->c.p >= s->c.end) break;
            if (s->c.end - s->c.p >= 4 && memcmp(s->c.p, "<!--", 4) == 0) {
                if (skip_comment(&s->c) != SC_OK) return 0;
                continue;
            }
            return 0;
        }
        /* text up to the next '<' */
        const unsigned char *t0 = s->c.p;
        const unsigned char *lt = memchr(s->c.p, '<', (size_t)(s->c.end - s->c.p));
        if (!lt) return 0;
        if (lt > t0) {
            if (lt - t0 > MAX_VALUE || check_chars(t0, lt, 0) < 0) return 0;
            if (depth == 0) return 0;
        }
        s->c.p = lt;
        if (s->c.end - s->c.p < 2) return 0;
        unsigned char c = s->c.p[1];
        if (c == '/') {
            const unsigned char *n0 = s->c.p + 2, *p = n0;
            while (p < s->c.end && is_name_char[*p]) p++;
            Py_ssize_t nl = p - n0;
            while (p < s->c.end && is_space[*p]) p++;
            if (p >= s->c.end || *p != '>' || depth == 0) return 0;
            if (stack_len[depth - 1] != nl || memcmp(stack_name[depth - 1], n0, (size_t)nl) != 0) return 0;
            s->c.p = p + 1;
            depth--;
            if (in_source) {
                if (depth + 1 != in_source) return 0; /* markup inside <source> */
                int declined;
                PyObject *raw = decode_text(t0, lt - t0, 0, &declined);
                if (!raw) return declined ? 0 : -1;
                PyObject *text = PyObject_CallMethod(raw, "strip", NULL);
                Py_DECREF(raw);
                if (!text) return -1;
                if (PyUnicode_GET_LENGTH(text) > 0) {
                    int has = PySequence_Contains(s->sources, text);
                    if (has < 0 || (!has && PyList_Append(s->sources, text) < 0)) {
                        Py_DECREF(text);
                        return -1;
                    }
                }
                Py_DECREF(text);
                in_source = 0;
            } else if (name_is(n0, nl, "line")) {
                s->in_line = 0;
            } else if (name_is(n0, nl, "method")) {
                if (s->in_method && (r = method_end(s)) <= 0) return r;
            } else if (name_is(n0, nl, "class")) {
                if (s->in_class && (r = class_end(s)) <= 0) return r;
            }
            if (depth == 0) root_done = 1;
            continue;
        }
        if (c == '!') {
            if (s->c.end - s->c.p >= 4 && memcmp(s->c.p, "<!--", 4) == 0) {
                if (in_source || skip_comment(&s->c) != SC_OK) return 0;
                continue;
            }
            return 0; /* CDATA, DOCTYPE out of place */
        }
        if (!is_name_start[c]) return 0; /* processing instruction, junk */
        if (in_source) return 0;
        const unsigned char *name;
        Py_ssize_t nl;
        int n;
        int empty;
        if (start_tag(&s->c, &name, &nl, attrs, &n, &empty) != SC_OK) return 0;
        if (depth == 0) {
            if (!name_is(name, nl, "coverage")) return 0;
            PyObject *v[5];
            static const char *keys[5] = {"lines-valid", "lines-covered", "line-rate", "branches-valid",
                                          "branches-covered"};
            for (int i = 0; i < 5; i++) {
                const Attr *a = find_attr(attrs, n, keys[i]);
                int declined = 0;
                if (a) {
                    v[i] = decode_text(a->value, a->value_len, 1, &declined);
                    if (!v[i]) {
                        for (int j = 0; j < i; j++) Py_DECREF(v[j]);
                        return declined ? 0 : -1;
                    }
                } else {
                    Py_INCREF(Py_None);
                    v[i] = Py_None;
                }
            }
            s->header = Py_BuildValue("(NNNNN)", v[0], v[1], v[2], v[3], v[4]);
            if (!s->header) return -1;
        } else if (name_is(name, nl, "line")) {
            if ((r = line_start(s, attrs, n)) <= 0) return r;
            if (!empty) s->in_line = 1;
        } else if (name_is(name, nl, "class")) {
            if ((r = class_start(s, attrs, n)) <= 0) return r;
            if (empty && (r = class_end(s)) <= 0) return r;
        } else if (name_is(name, nl, "method")) {
            if ((r = method_start(s, attrs, n)) <= 0) return r;
            if (empty && (r = method_end(s)) <= 0) return r;
        } else if (name_is(name, nl, "source")) {
            if (empty) {
                /* an empty <source/> has no text */
            } else {
                in_source = depth + 1;
            }
        } else if (s->in_line) {
            /* children of <line> (<conditions>) carry nothing covgap reads */
        }
        if (!empty) {
            if (depth >= MAX_DEPTH) return 0;
            stack_name[depth] = name;
            stack_len[depth] = nl;
            depth++;
        } else if (depth == 0) {
            root_done = 1;
        }
    }
    return root_done ? 1 : 0;
}

static PyObject *scan(PyObject *module, PyObject *arg) {
    (void)module;
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0) return NULL;
    Scan s;
    memset(&s, 0, sizeof s);
    s.c.p = view.buf;
    s.c.end = s.c.p + view.len;
    s.c.final = 1;
    PyObject *result = NULL;
    s.sources = PyList_New(0);
    s.classes = PyList_New(0);
    if (!s.sources || !s.classes) goto done;
    int r;
    r = run(&s);
    if (r < 0) goto done;
    if (r == 0 || !s.header) {
        Py_INCREF(Py_None);
        result = Py_None;
        goto done;
    }
    result = Py_BuildValue("(OOO)", s.header, s.sources, s.classes);
done:
    PyBuffer_Release(&view);
    Py_XDECREF(s.header);
    Py_XDECREF(s.sources);
    Py_XDECREF(s.classes);
    Py_XDECREF(s.filename);
    Py_XDECREF(s.methods);
    Py_XDECREF(s.missing);
    Py_XDECREF(s.method_name);
    Py_XDECREF(s.method_sig);
    buf_free(&s.lines);
    buf_free(&s.hits);
    buf_free(&s.br_line);
    buf_free(&s.br_hits);
    buf_free(&s.br_cov);
    buf_free(&s.br_tot);
    return result;
}


/* expand(br_line 'i', br_hits 'q', br_covered 'q', br_total 'q') -> (line, block, branch, taken):
 * the C twin of covgap.formats.cobertura._expand_branches_py (same outcomes, same order). */
static PyObject *expand(PyObject *module, PyObject *args) {
    (void)module;
    PyObject *objs[4];
    if (!PyArg_ParseTuple(args, "OOOO", &objs[0], &objs[1], &objs[2], &objs[3])) return NULL;
    Py_buffer v[4];
    int got = 0;
    PyObject *result = NULL;
    Buf out[4] = {{0}};
    Py_ssize_t n = get_columns("expand", objs, v, &got);
    if (n < 0) goto done;
    const int32_t *line = v[0].buf;
    const int64_t *hits = v[1].buf, *cov = v[2].buf, *tot = v[3].buf;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (cov[i] < 0 || tot[i] < cov[i] || tot[i] > MAX_OUTCOMES_PER_LINE) {
            PyErr_SetString(PyExc_ValueError, "expand: covered/total out of range");
            goto done;
        }
        int never = hits[i] == 0 && cov[i] == 0;
        for (int32_t k = 0; k < (int32_t)tot[i]; k++) {
            int64_t taken = never ? -1 : (k < cov[i] ? 1 : 0);
            if (put_outcome(out, line[i], k, taken) < 0) goto done;
        }
    }
    result = branch_arrays(out);
done:
    release_columns(v, got, out);
    return result;
}

static PyMethodDef methods[] = {
    {"scan", scan, METH_O,
     "scan(data) -> (header, sources, classes) or None when the lxml path must decide."},
    {"expand", expand, METH_VARARGS,
     "expand(br_line, br_hits, br_covered, br_total) -> (line, block, branch, taken) arrays."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "covgap._cobertura_speedups",
    "Strict fast scanner for Cobertura XML (see covgap.formats.cobertura).", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__cobertura_speedups(void) {
    if (xml_scan_init() < 0) return NULL;
    return PyModule_Create(&module_def);
}
