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
 * whitespace around the root element.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define MAX_DEPTH 200
#define MAX_ATTRS 32
#define MAX_LINE_NO 2147483647LL
#define MAX_OUTCOMES_PER_LINE 65536LL
/* Far below libxml2's own limits without huge_tree (names 50,000 bytes, text and
 * attribute values 10 MB): anything near them is declined so lxml's verdict stands. */
#define MAX_NAME 1000
#define MAX_VALUE 1000000

typedef struct {
    const unsigned char *name;
    Py_ssize_t name_len;
    const unsigned char *value;
    Py_ssize_t value_len;
} Attr;

typedef struct {
    char *data;
    Py_ssize_t len;
    Py_ssize_t cap;
} Buf;

static int buf_put(Buf *b, const void *item, Py_ssize_t size) {
    if (b->len + size > b->cap) {
        Py_ssize_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->len + size) cap *= 2;
        char *p = PyMem_Realloc(b->data, (size_t)cap);
        if (!p) {
            PyErr_NoMemory();
            return -1;
        }
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, item, (size_t)size);
    b->len += size;
    return 0;
}

static void buf_free(Buf *b) {
    PyMem_Free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

/* Scanner state: one document. */
typedef struct {
    const unsigned char *p; /* current position */
    const unsigned char *end;
    PyObject *array_type;           /* array.array */
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

/* Character classes. */
static unsigned char is_name_start[256], is_name_char[256], is_space[256], is_bad_ctl[256];

static void init_tables(void) {
    for (int c = 0; c < 256; c++) {
        is_name_start[c] = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
        is_name_char[c] = is_name_start[c] || (c >= '0' && c <= '9') || c == '-' || c == '.';
        is_space[c] = c == ' ' || c == '\t' || c == '\n' || c == '\r';
        is_bad_ctl[c] = c < 0x20 && !is_space[c];
    }
}

/* Validate one UTF-8 sequence starting at *pp (a byte >= 0x80) as a legal XML char. */
static int utf8_char(const unsigned char **pp, const unsigned char *end) {
    const unsigned char *p = *pp;
    unsigned c = p[0];
    unsigned cp;
    int n;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return -1;
    }
    if (end - p < n) return -1;
    for (int i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) return -1;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return -1;
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF) return -1;
    *pp = p + n;
    return 0;
}

/* Check raw characters only (comments, where '<' and '&' mean nothing). */
static int check_raw(const unsigned char *p, const unsigned char *stop) {
    while (p < stop) {
        if (*p < 0x80) {
            if (is_bad_ctl[*p]) return -1;
            p++;
        } else if (utf8_char(&p, stop) < 0) {
            return -1;
        }
    }
    return 0;
}

/* Check a run of character data (text or attribute value) up to `stop`.
 * Returns 0 when legal, -1 otherwise. `attr` forbids '<'. */
static int check_chars(const unsigned char *p, const unsigned char *stop, int attr) {
    while (p < stop) {
        unsigned c = *p;
        if (c < 0x80) {
            if (is_bad_ctl[c]) return -1;
            if (c == '<') return -1;
            if (c == '&') {
                /* validated by the reference decoder */
                const unsigned char *semi = memchr(p, ';', (size_t)(stop - p));
                if (!semi) return -1;
                Py_ssize_t len = semi - p - 1;
                const unsigned char *n = p + 1;
                if (len == 2 && (memcmp(n, "lt", 2) == 0 || memcmp(n, "gt", 2) == 0)) {
                } else if (len == 3 && memcmp(n, "amp", 3) == 0) {
                } else if (len == 4 && (memcmp(n, "quot", 4) == 0 || memcmp(n, "apos", 4) == 0)) {
                } else if (len >= 2 && n[0] == '#') {
                    unsigned long v = 0;
                    int hex = n[1] == 'x';
                    const unsigned char *q = n + 1 + hex;
                    if (q >= semi || semi - q > 8) return -1;
                    for (; q < semi; q++) {
                        unsigned d = *q;
                        if (d >= '0' && d <= '9') v = v * (hex ? 16 : 10) + (d - '0');
                        else if (hex && d >= 'a' && d <= 'f') v = v * 16 + (d - 'a' + 10);
                        else if (hex && d >= 'A' && d <= 'F') v = v * 16 + (d - 'A' + 10);
                        else return -1;
                    }
                    if (!(v == 0x9 || v == 0xA || v == 0xD || (v >= 0x20 && v <= 0xD7FF) ||
                          (v >= 0xE000 && v <= 0xFFFD) || (v >= 0x10000 && v <= 0x10FFFF)))
                        return -1;
                } else {
                    return -1;
                }
                p = semi + 1;
                continue;
            }
            if (!attr && c == ']' && stop - p >= 3 && p[1] == ']' && p[2] == '>') return -1;
            p++;
        } else if (utf8_char(&p, stop) < 0) {
            return -1;
        }
    }
    return 0;
}

static void put_utf8(unsigned char **o, unsigned long v) {
    unsigned char *q = *o;
    if (v < 0x80) {
        *q++ = (unsigned char)v;
    } else if (v < 0x800) {
        *q++ = (unsigned char)(0xC0 | (v >> 6));
        *q++ = (unsigned char)(0x80 | (v & 0x3F));
    } else if (v < 0x10000) {
        *q++ = (unsigned char)(0xE0 | (v >> 12));
        *q++ = (unsigned char)(0x80 | ((v >> 6) & 0x3F));
        *q++ = (unsigned char)(0x80 | (v & 0x3F));
    } else {
        *q++ = (unsigned char)(0xF0 | (v >> 18));
        *q++ = (unsigned char)(0x80 | ((v >> 12) & 0x3F));
        *q++ = (unsigned char)(0x80 | ((v >> 6) & 0x3F));
        *q++ = (unsigned char)(0x80 | (v & 0x3F));
    }
    *o = q;
}

/* Decode already-validated character data into a str. `attr`: raw \t \n \r would be
 * normalised to spaces by an XML parser; decline (return NULL without error) then. */
static PyObject *decode_text(const unsigned char *p, Py_ssize_t len, int attr, int *declined) {
    *declined = 0;
    if (attr) {
        for (Py_ssize_t i = 0; i < len; i++)
            if (p[i] == '\t' || p[i] == '\n' || p[i] == '\r') {
                *declined = 1;
                return NULL;
            }
    }
    if (!memchr(p, '&', (size_t)len) && !memchr(p, '\r', (size_t)len))
        return PyUnicode_DecodeUTF8((const char *)p, len, "strict");
    unsigned char *tmp = PyMem_Malloc((size_t)len + 1);
    if (!tmp) return PyErr_NoMemory();
    unsigned char *o = tmp;
    const unsigned char *stop = p + len;
    while (p < stop) {
        if (*p == '\r') { /* XML end-of-line handling: \r\n and \r become \n */
            *o++ = '\n';
            p += (p + 1 < stop && p[1] == '\n') ? 2 : 1;
            continue;
        }
        if (*p != '&') {
            *o++ = *p++;
            continue;
        }
        const unsigned char *semi = memchr(p, ';', (size_t)(stop - p));
        const unsigned char *n = p + 1;
        Py_ssize_t nl = semi - n;
        if (n[0] == '#') {
            int hex = n[1] == 'x';
            unsigned long v = strtoul((const char *)n + 1 + hex, NULL, hex ? 16 : 10);
            put_utf8(&o, v);
        } else if (nl == 2) {
            *o++ = n[0] == 'l' ? '<' : '>';
        } else if (nl == 3) {
            *o++ = '&';
        } else { /* quot or apos: check_chars let nothing else through */
            *o++ = n[0] == 'q' ? '"' : '\'';
        }
        p = semi + 1;
    }
    PyObject *s = PyUnicode_DecodeUTF8((const char *)tmp, o - tmp, "strict");
    PyMem_Free(tmp);
    return s;
}

/* Plain ASCII digits only, at most 18 of them (the lxml path judges anything else). */
static int parse_digits(const Attr *a, long long *out) {
    if (a->value_len < 1 || a->value_len > 18) return -1;
    long long v = 0;
    for (Py_ssize_t i = 0; i < a->value_len; i++) {
        unsigned d = a->value[i];
        if (d < '0' || d > '9') return -1;
        v = v * 10 + (d - '0');
    }
    *out = v;
    return 0;
}

static const Attr *find_attr(const Attr *attrs, int n, const char *name) {
    size_t len = strlen(name);
    for (int i = 0; i < n; i++)
        if ((size_t)attrs[i].name_len == len && memcmp(attrs[i].name, name, len) == 0) return &attrs[i];
    return NULL;
}

static int name_is(const unsigned char *name, Py_ssize_t len, const char *want) {
    size_t wl = strlen(want);
    return (size_t)len == wl && memcmp(name, want, wl) == 0;
}

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

static PyObject *make_array(Scan *s, const char *code, Buf *b) {
    PyObject *arr = PyObject_CallFunction(s->array_type, "s", code);
    if (!arr) return NULL;
    if (b->len) {
        PyObject *view = PyMemoryView_FromMemory(b->data, b->len, PyBUF_READ);
        if (!view) {
            Py_DECREF(arr);
            return NULL;
        }
        PyObject *r = PyObject_CallMethod(arr, "frombytes", "O", view);
        Py_DECREF(view);
        if (!r) {
            Py_DECREF(arr);
            return NULL;
        }
        Py_DECREF(r);
    }
    return arr;
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
    PyObject *a[6] = {NULL};
    a[0] = make_array(s, "i", &s->lines);
    a[1] = make_array(s, "q", &s->hits);
    a[2] = make_array(s, "i", &s->br_line);
    a[3] = make_array(s, "q", &s->br_hits);
    a[4] = make_array(s, "q", &s->br_cov);
    a[5] = make_array(s, "q", &s->br_tot);
    for (int i = 0; i < 6; i++)
        if (!a[i]) {
            for (int j = 0; j < 6; j++) Py_XDECREF(a[j]);
            return -1;
        }
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

/* Skip a comment starting at "<!--"; 0 ok, -1 decline. */
static int skip_comment(Scan *s) {
    const unsigned char *p = s->p + 4;
    for (;;) {
        const unsigned char *d = memchr(p, '-', (size_t)(s->end - p));
        if (!d || s->end - d < 3) return -1;
        if (d[1] == '-') {
            if (d[2] != '>') return -1; /* "--" inside a comment is not XML */
            if (check_raw(s->p + 4, d) < 0) return -1;
            s->p = d + 3;
            return 0;
        }
        p = d + 1;
    }
}

static void skip_space(Scan *s) {
    while (s->p < s->end && is_space[*s->p]) s->p++;
}

/* A quoted literal at p (after optional space handled by the caller); returns the
 * position after the closing quote, or NULL. */
static const unsigned char *quoted(const unsigned char *p, const unsigned char *e) {
    if (p >= e || (*p != '"' && *p != '\'')) return NULL;
    unsigned char q = *p++;
    const unsigned char *v = p;
    while (p < e && *p != q) p++;
    if (p >= e || check_raw(v, p) < 0) return NULL;
    return p + 1;
}

/* <!DOCTYPE S Name (S SYSTEM S lit | S PUBLIC S lit S lit)? S? '>' with no internal
 * subset; `p` is just past "<!DOCTYPE". Returns the position after '>' or NULL. */
static const unsigned char *doctype_end(const unsigned char *p, const unsigned char *e) {
    if (p >= e || !is_space[*p]) return NULL;
    while (p < e && is_space[*p]) p++;
    if (p >= e || !is_name_start[*p]) return NULL;
    while (p < e && is_name_char[*p]) p++;
    const unsigned char *before = p;
    while (p < e && is_space[*p]) p++;
    if (p < e && *p == '>') return p + 1;
    if (p == before) return NULL;
    int literals;
    if (e - p >= 6 && memcmp(p, "SYSTEM", 6) == 0) literals = 1;
    else if (e - p >= 6 && memcmp(p, "PUBLIC", 6) == 0) literals = 2;
    else return NULL;
    p += 6;
    for (int i = 0; i < literals; i++) {
        before = p;
        while (p < e && is_space[*p]) p++;
        if (p == before) return NULL;
        const unsigned char *lit = p;
        p = quoted(p, e);
        if (!p) return NULL;
        if (literals == 2 && i == 0) { /* a public id allows only PubidChar */
            for (const unsigned char *c = lit + 1; c < p - 1; c++)
                if (!is_name_char[*c] && !(*c && strchr(" \r\n'()+,/:=?;!*#@$%", *c))) return NULL;
        }
    }
    while (p < e && is_space[*p]) p++;
    if (p < e && *p == '>') return p + 1;
    return NULL; /* an internal subset or junk: lxml decides */
}

/* The XML declaration, strictly: <?xml S version="1.0" [S encoding="utf-8|ascii"]
 * [S standalone="yes|no"] S? ?>, pseudo-attributes in that order. */
static int xml_decl(Scan *s) {
    static const char *names[3] = {"version", "encoding", "standalone"};
    const unsigned char *p = s->p + 5, *e = s->end;
    int next = 0;
    for (;;) {
        const unsigned char *before = p;
        while (p < e && is_space[*p]) p++;
        if (e - p >= 2 && p[0] == '?' && p[1] == '>') {
            if (next == 0) return -1;
            s->p = p + 2;
            return 0;
        }
        if (p == before || next > 2) return -1;
        const unsigned char *n0 = p;
        while (p < e && is_name_char[*p]) p++;
        int which = -1;
        for (int i = next; i < 3; i++)
            if (name_is(n0, p - n0, names[i])) which = i;
        if (which < 0 || (next == 0 && which != 0)) return -1;
        while (p < e && is_space[*p]) p++;
        if (p >= e || *p != '=') return -1;
        p++;
        while (p < e && is_space[*p]) p++;
        if (p >= e || (*p != '"' && *p != '\'')) return -1;
        unsigned char q = *p++;
        const unsigned char *v = p;
        while (p < e && *p != q && *p != '<' && *p != '>' && *p < 0x80 && !is_space[*p]) p++;
        if (p >= e || *p != q) return -1;
        Py_ssize_t vl = p - v;
        p++;
        if (which == 0 && !name_is(v, vl, "1.0")) return -1;
        if (which == 1) {
            char enc[16];
            if (vl <= 0 || vl >= 16) return -1;
            for (Py_ssize_t i = 0; i < vl; i++) enc[i] = (char)(v[i] >= 'A' && v[i] <= 'Z' ? v[i] | 0x20 : v[i]);
            enc[vl] = 0;
            if (strcmp(enc, "utf-8") && strcmp(enc, "utf8") && strcmp(enc, "us-ascii") && strcmp(enc, "ascii"))
                return -1;
        }
        if (which == 2 && !name_is(v, vl, "yes") && !name_is(v, vl, "no")) return -1;
        next = which + 1;
    }
}

/* The prolog: BOM, XML declaration, comments, a DOCTYPE without internal subset. */
static int prolog(Scan *s) {
    if (s->end - s->p >= 3 && memcmp(s->p, "\xEF\xBB\xBF", 3) == 0) s->p += 3;
    if (s->end - s->p >= 6 && memcmp(s->p, "<?xml", 5) == 0 && is_space[s->p[5]]) {
        if (xml_decl(s) < 0) return -1;
    }
    int seen_doctype = 0;
    for (;;) {
        skip_space(s);
        if (s->p >= s->end || *s->p != '<') return -1;
        if (s->end - s->p >= 4 && memcmp(s->p, "<!--", 4) == 0) {
            if (skip_comment(s) < 0) return -1;
        } else if (s->end - s->p >= 10 && memcmp(s->p, "<!DOCTYPE", 9) == 0 && is_space[s->p[9]] &&
                   !seen_doctype) {
            const unsigned char *r = doctype_end(s->p + 9, s->end);
            if (!r) return -1;
            s->p = r;
            seen_doctype = 1;
        } else if (s->end - s->p >= 2 && is_name_start[s->p[1]]) {
            return 0;
        } else {
            return -1;
        }
    }
}

/* Parse a start tag at s->p ('<' followed by a name start). Fills name and attrs.
 * Returns 1 (empty element "/>"), 0 (open), -1 decline. */
static int start_tag(Scan *s, const unsigned char **name, Py_ssize_t *name_len, Attr *attrs, int *nattrs) {
    const unsigned char *p = s->p + 1, *e = s->end;
    const unsigned char *n0 = p;
    while (p < e && is_name_char[*p]) p++;
    *name = n0;
    *name_len = p - n0;
    if (*name_len > MAX_NAME) return -1;
    int n = 0;
    for (;;) {
        const unsigned char *before = p;
        while (p < e && is_space[*p]) p++;
        if (p >= e) return -1;
        if (*p == '>') {
            s->p = p + 1;
            *nattrs = n;
            return 0;
        }
        if (*p == '/') {
            if (p + 1 >= e || p[1] != '>') return -1;
            s->p = p + 2;
            *nattrs = n;
            return 1;
        }
        if (p == before || !is_name_start[*p] || n >= MAX_ATTRS) return -1;
        const unsigned char *a0 = p;
        while (p < e && is_name_char[*p]) p++;
        Py_ssize_t al = p - a0;
        if (al >= 5 && memcmp(a0, "xmlns", 5) == 0) return -1;
        while (p < e && is_space[*p]) p++;
        if (p >= e || *p != '=') return -1;
        p++;
        while (p < e && is_space[*p]) p++;
        if (p >= e || (*p != '"' && *p != '\'')) return -1;
        unsigned char q = *p++;
        const unsigned char *v0 = p;
        const unsigned char *v1 = memchr(p, q, (size_t)(e - p));
        if (!v1 || v1 - v0 > MAX_VALUE) return -1;
        if (check_chars(v0, v1, 1) < 0) return -1;
        for (int i = 0; i < n; i++)
            if (attrs[i].name_len == al && memcmp(attrs[i].name, a0, (size_t)al) == 0) return -1;
        attrs[n].name = a0;
        attrs[n].name_len = al;
        attrs[n].value = v0;
        attrs[n].value_len = v1 - v0;
        n++;
        p = v1 + 1;
    }
}

static int run(Scan *s) {
    const unsigned char *stack_name[MAX_DEPTH];
    Py_ssize_t stack_len[MAX_DEPTH];
    int depth = 0;
    int root_done = 0;
    int in_source = 0;
    Attr attrs[MAX_ATTRS];
    int r = prolog(s);
    if (r != 0) return 0;
    while (s->p < s->end) {
        if (root_done) {
            skip_space(s);
            if (s->p >= s->end) break;
            if (s->end - s->p >= 4 && memcmp(s->p, "<!--", 4) == 0) {
                if (skip_comment(s) < 0) return 0;
                continue;
            }
            return 0;
        }
        /* text up to the next '<' */
        const unsigned char *t0 = s->p;
        const unsigned char *lt = memchr(s->p, '<', (size_t)(s->end - s->p));
        if (!lt) return 0;
        if (lt > t0) {
            if (lt - t0 > MAX_VALUE || check_chars(t0, lt, 0) < 0) return 0;
            if (depth == 0) return 0;
        }
        s->p = lt;
        if (s->end - s->p < 2) return 0;
        unsigned char c = s->p[1];
        if (c == '/') {
            const unsigned char *n0 = s->p + 2, *p = n0;
            while (p < s->end && is_name_char[*p]) p++;
            Py_ssize_t nl = p - n0;
            while (p < s->end && is_space[*p]) p++;
            if (p >= s->end || *p != '>' || depth == 0) return 0;
            if (stack_len[depth - 1] != nl || memcmp(stack_name[depth - 1], n0, (size_t)nl) != 0) return 0;
            s->p = p + 1;
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
            if (s->end - s->p >= 4 && memcmp(s->p, "<!--", 4) == 0) {
                if (in_source || skip_comment(s) < 0) return 0;
                continue;
            }
            return 0; /* CDATA, DOCTYPE out of place */
        }
        if (!is_name_start[c]) return 0; /* processing instruction, junk */
        if (in_source) return 0;
        const unsigned char *name;
        Py_ssize_t nl;
        int n;
        int empty = start_tag(s, &name, &nl, attrs, &n);
        if (empty < 0) return 0;
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
    s.p = view.buf;
    s.end = s.p + view.len;
    PyObject *result = NULL;
    PyObject *array_mod = PyImport_ImportModule("array");
    if (!array_mod) goto done;
    s.array_type = PyObject_GetAttrString(array_mod, "array");
    Py_DECREF(array_mod);
    if (!s.array_type) goto done;
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
    Py_XDECREF(s.array_type);
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
    static const Py_ssize_t sizes[4] = {4, 8, 8, 8};
    for (; got < 4; got++) {
        if (PyObject_GetBuffer(objs[got], &v[got], PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) < 0) goto done;
        if (v[got].itemsize != sizes[got]) {
            got++;
            PyErr_SetString(PyExc_TypeError, "expand: expected arrays of types i, q, q, q");
            goto done;
        }
    }
    Py_ssize_t n = v[0].len / 4;
    if (v[1].len / 8 != n || v[2].len / 8 != n || v[3].len / 8 != n) {
        PyErr_SetString(PyExc_ValueError, "expand: columns differ in length");
        goto done;
    }
    const int32_t *line = v[0].buf;
    const int64_t *hits = v[1].buf, *cov = v[2].buf, *tot = v[3].buf;
    int32_t zero = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (cov[i] < 0 || tot[i] < cov[i] || tot[i] > MAX_OUTCOMES_PER_LINE) {
            PyErr_SetString(PyExc_ValueError, "expand: covered/total out of range");
            goto done;
        }
        int never = hits[i] == 0 && cov[i] == 0;
        for (int32_t k = 0; k < (int32_t)tot[i]; k++) {
            int64_t taken = never ? -1 : (k < cov[i] ? 1 : 0);
            if (buf_put(&out[0], &line[i], 4) < 0 || buf_put(&out[1], &zero, 4) < 0 ||
                buf_put(&out[2], &k, 4) < 0 || buf_put(&out[3], &taken, 8) < 0)
                goto done;
        }
    }
    {
        PyObject *array_mod = PyImport_ImportModule("array");
        if (!array_mod) goto done;
        Scan tmp;
        memset(&tmp, 0, sizeof tmp);
        tmp.array_type = PyObject_GetAttrString(array_mod, "array");
        Py_DECREF(array_mod);
        if (!tmp.array_type) goto done;
        PyObject *a0 = make_array(&tmp, "i", &out[0]);
        PyObject *a1 = a0 ? make_array(&tmp, "i", &out[1]) : NULL;
        PyObject *a2 = a1 ? make_array(&tmp, "i", &out[2]) : NULL;
        PyObject *a3 = a2 ? make_array(&tmp, "q", &out[3]) : NULL;
        Py_DECREF(tmp.array_type);
        if (a3) {
            result = Py_BuildValue("(NNNN)", a0, a1, a2, a3);
        } else {
            Py_XDECREF(a0);
            Py_XDECREF(a1);
            Py_XDECREF(a2);
        }
    }
done:
    for (int i = 0; i < got; i++) PyBuffer_Release(&v[i]);
    for (int i = 0; i < 4; i++) buf_free(&out[i]);
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
};

PyMODINIT_FUNC PyInit__cobertura_speedups(void) {
    init_tables();
    return PyModule_Create(&module_def);
}
