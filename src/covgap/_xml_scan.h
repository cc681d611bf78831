/*
 * covgap/_xml_scan.h: the strict XML tokenizer shared by covgap._cobertura_speedups
 * (_cobertura_speedups.c) and covgap._xml_speedups (_xml_speedups.c).
 *
 * Why one header: both scanners accept the same XML subset (UTF-8, comments, one DOCTYPE
 * without internal subset, quoted attributes, the five predefined entities and character
 * references) and decline everything else, so the lxml reader decides. Checking
 * characters, decoding values and reading the prolog and start tags the same way in both
 * keeps one definition of that subset. Everything here is `static`: each module compiles
 * its own copy in its translation unit, where the compiler inlines it into that module's
 * scan loop as it did the copies this replaced (same instructions within ~1 %).
 *
 * Not here, on purpose: the scan loops themselves (_cobertura_speedups.c `run`, which
 * has the whole document, keeps element names on its stack and reads <source> text;
 * _xml_speedups.c `scan_piece`, which stops at a piece's end and knows its elements by
 * id) and each format's rules for its elements.
 *
 * The tokenizer is resumable (a cursor with `final`): _xml_speedups feeds the document in
 * pieces, and a token cut by a piece's end answers SC_MORE so the caller scans it again
 * with the next piece. _cobertura_speedups holds the whole document and scans it with
 * final=1, where every SC_MORE becomes SC_DECLINE.
 *
 * Include after `#define PY_SSIZE_T_CLEAN` and <Python.h>; call xml_scan_init() once from
 * the module's init function.
 */
#ifndef COVGAP_XML_SCAN_H
#define COVGAP_XML_SCAN_H

#include <stdint.h>
#include <string.h>

#define MAX_DEPTH 200
#define MAX_ATTRS 32
#define MAX_LINE_NO 2147483647LL
/* Far below libxml2's own limits without huge_tree (names 50,000 bytes, text and
 * attribute values 10 MB): anything near them is declined so lxml's verdict stands. */
#define MAX_NAME 1000
#define MAX_VALUE 1000000

/* What a scanning step answers: a Python error is set, the lxml path must decide, done,
 * or the piece ended inside a token (only when the cursor is not final). */
enum { SC_ERROR = -1, SC_DECLINE = 0, SC_OK = 1, SC_MORE = 2 };

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

static PyObject *array_type; /* array.array, imported once by xml_scan_init */

/* An array.array of type `code` holding b's bytes; empties b for its next use. */
static PyObject *make_array(const char *code, Buf *b) {
    PyObject *arr = PyObject_CallFunction(array_type, "s", code);
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
    b->len = 0;
    return arr;
}

/* Character classes. */
/* n arrays, a[i] of type codes[i] from *bufs[i] (each emptied): 0, or -1 with an
 * exception set and no array kept. */
static int make_arrays(PyObject **a, int n, const char *codes, Buf *const *bufs) {
    for (int i = 0; i < n; i++) {
        const char code[2] = {codes[i], 0};
        a[i] = make_array(code, bufs[i]);
        if (!a[i]) {
            while (i--) Py_DECREF(a[i]);
            return -1;
        }
    }
    return 0;
}

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

/* Where a scanner is: [p, end) is what it has; `final` says nothing follows `end`, so a
 * token cut there is declined (SC_DECLINE) rather than asked for again (SC_MORE). */
typedef struct {
    const unsigned char *p, *end;
    int final;
} Cur;

#define MORE_OR_DECLINE(c) ((c)->final ? SC_DECLINE : SC_MORE)

/* A comment at c->p ("<!--"): SC_OK past it, SC_MORE, SC_DECLINE. */
static int skip_comment(Cur *c) {
    const unsigned char *p = c->p + 4;
    for (;;) {
        const unsigned char *d = memchr(p, '-', (size_t)(c->end - p));
        if (!d || c->end - d < 3) {
            if (c->end - c->p > MAX_VALUE) return SC_DECLINE;
            return MORE_OR_DECLINE(c);
        }
        if (d[1] == '-') {
            if (d[2] != '>') return SC_DECLINE; /* "--" inside a comment is not XML */
            if (check_raw(c->p + 4, d) < 0) return SC_DECLINE;
            c->p = d + 3;
            return SC_OK;
        }
        p = d + 1;
    }
}

static const unsigned char *quoted(const unsigned char *p, const unsigned char *e) {
    if (p >= e || (*p != '"' && *p != '\'')) return NULL;
    unsigned char q = *p++;
    const unsigned char *v = p;
    while (p < e && *p != q) p++;
    if (p >= e || check_raw(v, p) < 0) return NULL;
    return p + 1;
}

/* <!DOCTYPE S Name (S SYSTEM S lit | S PUBLIC S lit S lit)? S? '>' without internal
 * subset; `p` is just past "<!DOCTYPE". The position after '>', or NULL. */
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
            for (const unsigned char *ch = lit + 1; ch < p - 1; ch++)
                if (!is_name_char[*ch] && !(*ch && strchr(" \r\n'()+,/:=?;!*#@$%", *ch))) return NULL;
        }
    }
    while (p < e && is_space[*p]) p++;
    if (p < e && *p == '>') return p + 1;
    return NULL; /* an internal subset or junk: lxml decides */
}

/* <?xml S version="1.0" [S encoding="utf-8|ascii"] [S standalone="yes|no"] S? ?> */
static int xml_decl(Cur *c) {
    static const char *names[3] = {"version", "encoding", "standalone"};
    const unsigned char *p = c->p + 5, *e = c->end;
    int next = 0;
    for (;;) {
        const unsigned char *before = p;
        while (p < e && is_space[*p]) p++;
        if (e - p >= 2 && p[0] == '?' && p[1] == '>') {
            if (next == 0) return -1;
            c->p = p + 2;
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

/* BOM, XML declaration, comments, a DOCTYPE without internal subset. Declines when the
 * prolog does not end within the piece (_xml_speedups' scan_piece then asks for more, up
 * to 1 MiB). */
static int prolog(Cur *c) {
    if (c->end - c->p >= 3 && memcmp(c->p, "\xEF\xBB\xBF", 3) == 0) c->p += 3;
    if (c->end - c->p >= 6 && memcmp(c->p, "<?xml", 5) == 0 && is_space[c->p[5]]) {
        if (xml_decl(c) < 0) return SC_DECLINE;
    }
    int seen_doctype = 0;
    for (;;) {
        while (c->p < c->end && is_space[*c->p]) c->p++;
        if (c->p >= c->end || *c->p != '<') return SC_DECLINE;
        if (c->end - c->p >= 4 && memcmp(c->p, "<!--", 4) == 0) {
            if (skip_comment(c) != SC_OK) return SC_DECLINE;
        } else if (c->end - c->p >= 10 && memcmp(c->p, "<!DOCTYPE", 9) == 0 && is_space[c->p[9]] &&
                   !seen_doctype) {
            const unsigned char *r = doctype_end(c->p + 9, c->end);
            if (!r) return SC_DECLINE;
            c->p = r;
            seen_doctype = 1;
        } else if (c->end - c->p >= 2 && is_name_start[c->p[1]]) {
            return SC_OK;
        } else {
            return SC_DECLINE;
        }
    }
}

/* A start tag at c->p ('<' then a name start): fills name and attrs and returns SC_OK
 * with *empty set, SC_MORE when the piece ends inside it, or SC_DECLINE. */
static int start_tag(Cur *c, const unsigned char **name, Py_ssize_t *name_len, Attr *attrs, int *nattrs,
                     int *empty) {
    const unsigned char *p = c->p + 1, *e = c->end;
    const unsigned char *n0 = p;
    while (p < e && is_name_char[*p]) p++;
    *name = n0;
    *name_len = p - n0;
    if (*name_len > MAX_NAME) return SC_DECLINE;
    int n = 0;
    for (;;) {
        const unsigned char *before = p;
        while (p < e && is_space[*p]) p++;
        if (p >= e) return MORE_OR_DECLINE(c);
        if (*p == '>') {
            c->p = p + 1;
            *nattrs = n;
            *empty = 0;
            return SC_OK;
        }
        if (*p == '/') {
            if (p + 1 >= e) return MORE_OR_DECLINE(c);
            if (p[1] != '>') return SC_DECLINE;
            c->p = p + 2;
            *nattrs = n;
            *empty = 1;
            return SC_OK;
        }
        if (p == before || !is_name_start[*p] || n >= MAX_ATTRS) return SC_DECLINE;
        const unsigned char *a0 = p;
        while (p < e && is_name_char[*p]) p++;
        Py_ssize_t al = p - a0;
        if (al > MAX_NAME) return SC_DECLINE;
        if (al >= 5 && memcmp(a0, "xmlns", 5) == 0) return SC_DECLINE;
        while (p < e && is_space[*p]) p++;
        if (p >= e) return MORE_OR_DECLINE(c);
        if (*p != '=') return SC_DECLINE;
        p++;
        while (p < e && is_space[*p]) p++;
        if (p >= e) return MORE_OR_DECLINE(c);
        if (*p != '"' && *p != '\'') return SC_DECLINE;
        unsigned char q = *p++;
        const unsigned char *v0 = p;
        const unsigned char *v1 = memchr(p, q, (size_t)(e - p));
        if (!v1) return e - v0 > MAX_VALUE ? SC_DECLINE : MORE_OR_DECLINE(c);
        if (v1 - v0 > MAX_VALUE || check_chars(v0, v1, 1) < 0) return SC_DECLINE;
        for (int i = 0; i < n; i++)
            if (attrs[i].name_len == al && memcmp(attrs[i].name, a0, (size_t)al) == 0) return SC_DECLINE;
        attrs[n].name = a0;
        attrs[n].name_len = al;
        attrs[n].value = v0;
        attrs[n].value_len = v1 - v0;
        n++;
        p = v1 + 1;
    }
}

/* Four columns of item sizes 4, 8, 8, 8 (array types i, q, q, q) and equal length, as
 * the branch expanders take them: their length, or -1 with an exception set (messages
 * start with `fn`). *got says how many buffers the caller must release. */
static Py_ssize_t get_columns(const char *fn, PyObject *const objs[4], Py_buffer v[4], int *got) {
    static const Py_ssize_t sizes[4] = {4, 8, 8, 8};
    for (*got = 0; *got < 4; (*got)++) {
        if (PyObject_GetBuffer(objs[*got], &v[*got], PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) < 0) return -1;
        if (v[*got].itemsize != sizes[*got]) {
            (*got)++;
            PyErr_Format(PyExc_TypeError, "%s: expected arrays of types i, q, q, q", fn);
            return -1;
        }
    }
    Py_ssize_t n = v[0].len / 4;
    if (v[1].len / 8 != n || v[2].len / 8 != n || v[3].len / 8 != n) {
        PyErr_Format(PyExc_ValueError, "%s: columns differ in length", fn);
        return -1;
    }
    return n;
}

/* One branch outcome (block 0) onto the four columns below: 0, or -1 with an exception. */
static int put_outcome(Buf out[4], int32_t line, int32_t branch, int64_t taken) {
    static const int32_t zero = 0;
    if (buf_put(&out[0], &line, 4) < 0 || buf_put(&out[1], &zero, 4) < 0 ||
        buf_put(&out[2], &branch, 4) < 0 || buf_put(&out[3], &taken, 8) < 0)
        return -1;
    return 0;
}

/* Branch outcome columns (line 'i', block 'i', branch 'i', taken 'q') from four Bufs. */
static PyObject *branch_arrays(Buf out[4]) {
    PyObject *a[4];
    Buf *const bufs[4] = {&out[0], &out[1], &out[2], &out[3]};
    if (make_arrays(a, 4, "iiiq", bufs) < 0) return NULL;
    return Py_BuildValue("(NNNN)", a[0], a[1], a[2], a[3]);
}

/* The end of an expander: release the `got` columns get_columns borrowed, free `out`. */
static void release_columns(Py_buffer v[4], int got, Buf out[4]) {
    for (int i = 0; i < got; i++) PyBuffer_Release(&v[i]);
    for (int i = 0; i < 4; i++) buf_free(&out[i]);
}

/* The character tables and array.array: 0, or -1 with an exception set. */
static int xml_scan_init(void) {
    init_tables();
    if (array_type) return 0;
    PyObject *array_mod = PyImport_ImportModule("array");
    if (!array_mod) return -1;
    array_type = PyObject_GetAttrString(array_mod, "array");
    Py_DECREF(array_mod);
    return array_type ? 0 : -1;
}

#endif /* COVGAP_XML_SCAN_H */
