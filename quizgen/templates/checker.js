/* quizgen answer checker for the offline practice page.
 *
 * The browser twin of the package quizgen/answers/: same tokenizer, same grammar, same
 * evaluation points, same order of checks, same messages, so a student gets the same
 * verdict in the browser as from `quizgen check`. Its sections follow the package's
 * modules in the same order (limits, tokens, grammar, evaluation, feedback, check), each
 * headed with the module it mirrors. tests/answer_cases.json is the table both are tested
 * against (tests/test_checker_js.py runs this file in Chromium). Keep the two in step.
 *
 * The parser is a hand-written recursive descent over the grammar that the Python
 * side gives to lark: the page must work offline from one file, and no parser
 * library can be loaded there without bundling it. The answer text is never run as
 * JavaScript: it is only tokenized and parsed here. Exact arithmetic uses BigInt rationals,
 * the counterpart of Python's fractions.Fraction.
 */
(function () {
  "use strict";

  function has(obj, key) { return Object.prototype.hasOwnProperty.call(obj, key); }

  // ============================================================================
  // 1. limits and messages                                        quizgen/answers/limits.py
  // ============================================================================
  // Every limit, the sample points, the names a student may type and every message come
  // from Python (limits.shared()), handed to the page as JSON in the element below
  // (practice.checker_config); nothing here repeats them. A page without it fails loudly.
  var CONFIG_ID = "quizgen-checker-config";
  var CONFIG = (function () {
    var el = document.getElementById(CONFIG_ID);
    if (!el) throw new Error("quizgen checker: the page has no #" + CONFIG_ID + " data");
    return JSON.parse(el.textContent);
  })();
  function need(obj, key) {
    if (obj === null || typeof obj !== "object" || !has(obj, key)) {
      throw new Error("quizgen checker: #" + CONFIG_ID + " lacks " + key);
    }
    return obj[key];
  }

  var LIMITS = need(CONFIG, "limits");
  var MAX_LENGTH = need(LIMITS, "MAX_LENGTH");
  var MAX_DEPTH = need(LIMITS, "MAX_DEPTH");
  var MAX_TREE_DEPTH = need(LIMITS, "MAX_TREE_DEPTH");
  var MAX_EXPONENT = need(LIMITS, "MAX_EXPONENT");
  var MAX_DIGITS = need(LIMITS, "MAX_DIGITS");
  var MAX_SCI_EXPONENT = need(LIMITS, "MAX_SCI_EXPONENT");
  var MAX_BITS = need(LIMITS, "MAX_BITS");
  var MAX_PLACES = need(LIMITS, "MAX_PLACES");
  var BIG_LIMIT = 1n << BigInt(MAX_BITS); // bit_length > MAX_BITS  <=>  |n| >= 2^MAX_BITS

  var N_POINTS = need(LIMITS, "N_POINTS");
  var MIN_COMMON = need(LIMITS, "MIN_COMMON");
  var REL_TOL = need(LIMITS, "REL_TOL");
  var ABS_TOL = need(LIMITS, "ABS_TOL");
  // Rounding noise of float values (see limits.py): NOISE * EPS * magnitude.
  var EPS = need(LIMITS, "EPS");
  var NOISE = need(LIMITS, "NOISE");
  var RELIABLE = need(LIMITS, "RELIABLE");

  var POINTS = need(CONFIG, "points");
  var NAME_ORDER = need(CONFIG, "nameOrder");
  var N_SEQUENCES = need(CONFIG, "nSequences");
  var MULTIPLIERS = need(CONFIG, "multipliers");
  var FUNCTIONS = need(CONFIG, "functions");
  var FUNCTIONS2 = need(CONFIG, "functions2");
  var CONSTANTS = need(CONFIG, "constants");
  var GREEK = need(CONFIG, "greek");

  // msg("digits", {pos: 3}): the message with its {placeholders} filled in one pass.
  var MESSAGES = need(CONFIG, "messages");
  function msg(code, params) {
    return need(MESSAGES, code).replace(/\{(\w+)\}/g, function (whole, key) { return String(need(params, key)); });
  }
  var CORRECT = need(MESSAGES, "correct");
  var BAD_EXPECTED = need(MESSAGES, "bad_expected");
  var EMPTY = need(MESSAGES, "empty");
  var UNCHECKED = need(MESSAGES, "unchecked");
  var UNDEFINED = need(CONFIG, "undefined");

  function Invalid(code, params) { this.code = code; this.message = msg(code, params || {}); }
  function Undef(reason) { this.reason = reason; }
  var NOT_RATIONAL = { notRational: true };

  // Exact rationals (BigInt): what fractions.Fraction is to the Python side.
  function gcd(a, b) {
    if (a < 0n) a = -a;
    if (b < 0n) b = -b;
    while (b) { var t = a % b; a = b; b = t; }
    return a;
  }
  function Q(n, d) {
    if (d === undefined) d = 1n;
    if (d < 0n) { n = -n; d = -d; }
    var g = gcd(n, d);
    if (g !== 1n && g !== 0n) { n = n / g; d = d / g; }
    return { n: n, d: d };
  }
  function qAdd(a, b) { return Q(a.n * b.d + b.n * a.d, a.d * b.d); }
  function qSub(a, b) { return Q(a.n * b.d - b.n * a.d, a.d * b.d); }
  function qMul(a, b) { return Q(a.n * b.n, a.d * b.d); }
  function qDiv(a, b) { return Q(a.n * b.d, a.d * b.n); }
  function qNeg(a) { return { n: -a.n, d: a.d }; }
  function qAbs(a) { return a.n < 0n ? qNeg(a) : a; }
  function qIsZero(a) { return a.n === 0n; }
  function qEq(a, b) { return a.n === b.n && a.d === b.d; }
  function qCmp(a, b) { var x = a.n * b.d - b.n * a.d; return x < 0n ? -1 : x > 0n ? 1 : 0; }
  function qMax(a, b) { return qCmp(a, b) >= 0 ? a : b; }
  function bitLength(n) { if (n < 0n) n = -n; return n === 0n ? 0 : n.toString(2).length; }
  function qFromDouble(x) {
    // The exact value of a finite double, like Python's Fraction(float).
    var neg = x < 0;
    if (neg) x = -x;
    var r;
    if (Number.isInteger(x)) {
      r = Q(BigInt(x));
    } else {
      var m = x, k = 0;
      while (!Number.isInteger(m)) { m *= 2; k += 1; }
      r = Q(BigInt(m), 1n << BigInt(k));
    }
    return neg ? qNeg(r) : r;
  }
  function chk(q) {
    var n = q.n < 0n ? -q.n : q.n;
    if (n >= BIG_LIMIT || q.d >= BIG_LIMIT) throw new Invalid("too_big");
    return q;
  }

  // ============================================================================
  // 2. tokens                                                     quizgen/answers/tokens.py
  // ============================================================================
  // Every name a word may be split into: functions, constants and Greek variable names (ASCII ones).
  var WORDS = {};
  [FUNCTIONS, FUNCTIONS2, CONSTANTS].forEach(function (table) { for (var w in table) if (has(table, w)) WORDS[w] = true; });
  for (var g in GREEK) if (has(GREEK, g)) WORDS[GREEK[g]] = true;
  var NAMES = Object.keys(WORDS).filter(function (n) { return /^[\x00-\x7f]*$/.test(n); }).sort(function (a, b) {
    return b.length - a.length || (a < b ? -1 : a > b ? 1 : 0);
  });
  var GREEK_NAME = {};
  for (var gn in GREEK) if (has(GREEK, gn)) GREEK_NAME[GREEK[gn]] = true;
  var SUB_DIGITS = "\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087\u2088\u2089";

  var WHITESPACE = " \t\n\r\u00a0";
  var OPEN = { "(": "_LPAR", "[": "_LBRACK", "{": "_LBRACE" };
  var CLOSE = { ")": "_RPAR", "]": "_RBRACK", "}": "_RBRACE" };
  var SIMPLE = {
    "+": "_PLUS", "-": "_MINUS", "\u2212": "_MINUS", "*": "_STAR", "\u00d7": "_STAR",
    "\u00b7": "_STAR", "\u22c5": "_STAR", "/": "_SLASH", "\u00f7": "_SLASH", "^": "_CARET",
    ",": "_COMMA", ";": "_COMMA", "=": "_EQUAL"
  };
  var SUPERSCRIPTS = "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079";
  var SUP_MINUS = "\u207b";
  var OPERAND_END = { NUMBER: 1, VAR: 1, CONST: 1, _RPAR: 1, _RBRACK: 1, _RBRACE: 1, _RBAR: 1 };
  var OPERAND_START = { VAR: 1, CONST: 1, FUNC: 1, FUNCARG: 1, FUNC2: 1, _LPAR: 1, _LBRACK: 1, _LBRACE: 1, _LBAR: 1 };
  // What may follow a function written without brackets (sin x, tanh -n, exp 2, ln ln x).
  var ARG_START = { NUMBER: 1, VAR: 1, CONST: 1, FUNC: 1, FUNC2: 1, _MINUS: 1 };
  var OPENING = { _LPAR: 1, _LBRACK: 1, _LBRACE: 1, _LBAR: 1 };
  var CLOSING = { _RPAR: 1, _RBRACK: 1, _RBRACE: 1, _RBAR: 1 };

  function isControl(c) {
    var n = c.codePointAt(0);
    return (n < 0x20 && "\t\n\r".indexOf(c) < 0) ||
      (n >= 0x7f && n <= 0x9f) ||
      (n >= 0x200b && n <= 0x200f) ||
      (n >= 0x2028 && n <= 0x202e) ||
      (n >= 0x2060 && n <= 0x2064) ||
      (n >= 0xd800 && n <= 0xdfff) ||
      n === 0xfeff;
  }
  function isDigit(c) { return c !== undefined && c >= "0" && c <= "9" && c.length === 1; }
  function isLetter(c) { return c !== undefined && c.length === 1 && ((c >= "a" && c <= "z") || (c >= "A" && c <= "Z")); }
  function isSup(c) { return c !== undefined && c.length === 1 && SUPERSCRIPTS.indexOf(c) >= 0; }

  function context(expected) {
    var letters = { x: true, h: true };
    var s = Array.from(expected);
    var i = 0;
    while (i < s.length) {
      if (isLetter(s[i])) {
        var j = i;
        while (j < s.length && isLetter(s[j])) j += 1;
        var word = s.slice(i, j).join("");
        if ((j - i === 1 && word !== "e" && word !== "E") || has(GREEK_NAME, word)) {
          if (j - i === 1) letters[word] = true;
          var k = j;
          while (k < s.length && isDigit(s[k])) k += 1;
          if (k > j) letters[s.slice(i, k).join("")] = true;
          j = k;
        }
        i = j;
      } else {
        i += 1;
      }
    }
    return letters;
  }

  function splitWord(word, ctx) {
    var lower = word.toLowerCase();
    if (has(WORDS, lower) && !has(WORDS, word) && !has(CONSTANTS, lower)) return [lower];
    var out = [];
    var i = 0;
    while (i < word.length) {
      var found = null;
      for (var k = 0; k < NAMES.length; k++) {
        if (word.startsWith(NAMES[k], i)) { found = NAMES[k]; break; }
      }
      if (found !== null) {
        out.push(found);
        i += found.length;
      } else {
        if (!has(ctx, word[i])) return null;
        out.push(word[i]);
        i += 1;
      }
    }
    return out;
  }

  function tok(type, text, pos, value) { return { type: type, text: text, pos: pos, value: value }; }

  function pow10(k) { return 10n ** BigInt(k); }

  function scanNumber(s, i) {
    var j = i, mant = "", frac = "", expText = "";
    while (j < s.length && isDigit(s[j])) { mant += s[j]; j += 1; }
    if (j < s.length && s[j] === ".") {
      j += 1;
      while (j < s.length && isDigit(s[j])) { frac += s[j]; j += 1; }
    }
    if (j < s.length && (s[j] === "e" || s[j] === "E")) {
      var k = j + 1, sign = "";
      if (k < s.length && (s[k] === "+" || s[k] === "-" || s[k] === "\u2212")) {
        sign = s[k] !== "+" ? "-" : "";
        k += 1;
      }
      if (k < s.length && isDigit(s[k])) {
        var digits = "";
        while (k < s.length && isDigit(s[k])) { digits += s[k]; k += 1; }
        expText = sign + digits;
        j = k;
      }
    }
    if (mant.length + frac.length > MAX_DIGITS) {
      throw new Invalid("digits", { pos: i + 1 });
    }
    var scale = -frac.length;
    if (expText) {
      var stripped = expText.replace(/^-/, "").replace(/^0+/, "");
      if (stripped.length > 4 || parseInt(stripped || "0", 10) > MAX_SCI_EXPONENT) {
        throw new Invalid("sci_range", { pos: i + 1 });
      }
      scale += parseInt(expText, 10);
    }
    var m = BigInt(mant + frac);
    var value = scale >= 0 ? Q(m * pow10(scale)) : Q(m, pow10(-scale));
    var plain = (mant || "0") + "." + (frac || "0") + (expText ? "e" + expText : "");
    // [exact value, float, digits after the point as typed: 0.760 has 3, 7.6e-1 has 2]
    return [j, tok("NUMBER", s.slice(i, j).join(""), i + 1, [value, Number(plain), Math.max(0, -scale)])];
  }

  // A variable's subscript after position j: w1 written with a subscript digit, w_1, w_{1},
  // or w1 when the key names such a variable. [new position, name].
  function subscript(s, j, name, ctx) {
    var k = j, digits = "";
    if (k < s.length && SUB_DIGITS.indexOf(s[k]) >= 0 && s[k].length === 1) {
      while (k < s.length && SUB_DIGITS.indexOf(s[k]) >= 0 && s[k].length === 1) { digits += String(SUB_DIGITS.indexOf(s[k])); k += 1; }
    } else if (k + 1 < s.length && s[k] === "_") {
      var brace = s[k + 1] === "{" ? 1 : 0;
      var m = k + 1 + brace;
      while (m < s.length && isDigit(s[m])) { digits += s[m]; m += 1; }
      if (!digits || (brace && (m >= s.length || s[m] !== "}"))) return [j, name];
      k = m + brace;
    } else {
      while (k < s.length && isDigit(s[k])) { digits += s[k]; k += 1; }
      var sibling = false;
      var twin = name.length === 1 ? (name === name.toLowerCase() ? name.toUpperCase() : name.toLowerCase()) : name;
      for (var n in ctx) {
        if (!has(ctx, n)) continue;
        var head = n.slice(0, name.length), tail = n.slice(name.length);
        if (/^[0-9]+$/.test(tail) && (head === name || head === twin)) { sibling = true; break; }
      }
      if (!digits || !sibling) return [j, name];
    }
    if (digits.length > MAX_DIGITS) throw new Invalid("digits", { pos: j + 1 });
    return [k, name + digits];
  }

  function tokenize(s, ctx) {
    var toks = [];
    var depth = 0, bars = 0, i = 0;

    function push(t) {
      if (has(OPENING, t.type)) {
        depth += 1;
        if (depth > MAX_DEPTH) {
          throw new Invalid("nested");
        }
      } else if (has(CLOSING, t.type)) {
        depth = Math.max(depth - 1, 0);
      }
      toks.push(t);
    }

    while (i < s.length) {
      var c = s[i];
      if (WHITESPACE.indexOf(c) >= 0 && c.length === 1) {
        i += 1;
      } else if (isDigit(c) || (c === "." && i + 1 < s.length && isDigit(s[i + 1]))) {
        var r = scanNumber(s, i);
        i = r[0];
        push(r[1]);
      } else if (isLetter(c)) {
        var j = i;
        while (j < s.length && isLetter(s[j])) j += 1;
        var word = s.slice(i, j).join("");
        var parts = word.length === 1 ? [word] : splitWord(word, ctx);
        if (parts === null) throw new Invalid("unknown_name", { name: word, pos: i + 1 });
        var pos = i;
        for (var p = 0; p < parts.length; p++) {
          var part = parts[p];
          if (has(FUNCTIONS, part)) push(tok("FUNC", part, pos + 1, FUNCTIONS[part]));
          else if (has(FUNCTIONS2, part)) push(tok("FUNC2", part, pos + 1, FUNCTIONS2[part]));
          else if (has(CONSTANTS, part)) push(tok("CONST", part, pos + 1, CONSTANTS[part]));
          else if (p === parts.length - 1) {  // the last variable of a word may have a subscript
            var sub = subscript(s, j, part, ctx);
            j = sub[0];
            push(tok("VAR", s.slice(pos, j).join(""), pos + 1, sub[1]));
          } else push(tok("VAR", part, pos + 1, part));
          pos += part.length;
        }
        i = j;
      } else if (has(GREEK, c)) {
        var gs = subscript(s, i + 1, GREEK[c], ctx);
        push(tok("VAR", s.slice(i, gs[0]).join(""), i + 1, gs[1]));
        i = gs[0];
      } else if (c === "\u03c3") {
        push(tok("FUNC", c, i + 1, "sigmoid"));
        i += 1;
      } else if (c === "*" && i + 1 < s.length && s[i + 1] === "*") {
        push(tok("_CARET", "**", i + 1));
        i += 2;
      } else if (has(SIMPLE, c)) {
        push(tok(SIMPLE[c], c, i + 1));
        i += 1;
      } else if (has(OPEN, c)) {
        push(tok(OPEN[c], c, i + 1));
        i += 1;
      } else if (has(CLOSE, c)) {
        push(tok(CLOSE[c], c, i + 1));
        i += 1;
      } else if (c === "|") {
        // A bar closes when something is open and it follows an operand; else it opens.
        if (toks.length && has(OPERAND_END, toks[toks.length - 1].type) && bars > 0) {
          bars -= 1;
          push(tok("_RBAR", c, i + 1));
        } else {
          bars += 1;
          push(tok("_LBAR", c, i + 1));
        }
        i += 1;
      } else if (c === "\u03c0") {
        push(tok("CONST", c, i + 1, "pi"));
        i += 1;
      } else if (c === "\u221a") {
        push(tok("FUNC", c, i + 1, "sqrt"));
        i += 1;
      } else if (isSup(c) || (c === SUP_MINUS && i + 1 < s.length && isSup(s[i + 1]))) {
        var k = i + (c === SUP_MINUS ? 1 : 0);
        var digits = "";
        while (k < s.length && isSup(s[k])) { digits += String(SUPERSCRIPTS.indexOf(s[k])); k += 1; }
        if (digits.length > MAX_DIGITS) {
          throw new Invalid("digits", { pos: i + 1 });
        }
        push(tok("_CARET", s.slice(i, k).join(""), i + 1));
        if (c === SUP_MINUS) push(tok("_MINUS", SUP_MINUS, i + 1));
        push(tok("NUMBER", digits, i + 1, [Q(BigInt(digits)), Number(digits), 0]));
        i = k;
      } else {
        throw new Invalid("unknown_symbol", { char: c, pos: i + 1 });
      }
    }

    // A function's argument: in brackets (sin(x), ln|x|, sin^2(x), or with a superscript 2), or
    // without them the next factor only (sin x, tanh -n: FUNCARG). max and min always take brackets.
    var out = [];
    for (var a = 0; a < toks.length; a++) {
      var t = toks[a];
      out.push(t);
      if (t.type !== "FUNC" && t.type !== "FUNC2") continue;
      var isF = t.type === "FUNC";
      var nxt = a + 1 < toks.length ? toks[a + 1] : null;
      if (nxt !== null && (nxt.type === "_LPAR" || (has(OPENING, nxt.type) && isF))) continue;
      if (isF && nxt !== null && nxt.type === "_CARET" && a + 3 < toks.length &&
          toks[a + 2].type === "NUMBER" && toks[a + 2].value[0].d === 1n &&
          toks[a + 2].text.indexOf(".") < 0 && toks[a + 2].text.toLowerCase().indexOf("e") < 0 &&
          (has(OPENING, toks[a + 3].type) || has(ARG_START, toks[a + 3].type))) {
        if (!has(OPENING, toks[a + 3].type)) out[out.length - 1] = tok("FUNCARG", t.text, t.pos, t.value);
        out.push(tok("FPOW", nxt.text + toks[a + 2].text, nxt.pos, toks[a + 2].value));
        a += 2;
        continue;
      }
      if (isF && nxt !== null && has(ARG_START, nxt.type)) {
        out[out.length - 1] = tok("FUNCARG", t.text, t.pos, t.value);
        continue;
      }
      throw new Invalid("func_brackets", { name: t.text, pos: t.pos });
    }

    // Implicit multiplication: an operand followed by the start of another (2x, x(x+1), )( ).
    var fin = [];
    for (var b = 0; b < out.length; b++) {
      var u = out[b];
      if (fin.length && has(OPERAND_END, fin[fin.length - 1].type) && has(OPERAND_START, u.type)) {
        fin.push(tok("_IMPL", "", u.pos));
      }
      fin.push(u);
    }
    return unwrapList(fin);
  }

  var LIST_CLOSE = { _LPAR: "_RPAR", _LBRACK: "_RBRACK" };

  // [8, -4, 26] or (1, 2): a whole answer in one pair of brackets with commas is a list.
  function unwrapList(toks) {
    var n = toks.length;
    if (n < 3 || !has(LIST_CLOSE, toks[0].type) || toks[n - 1].type !== LIST_CLOSE[toks[0].type]) return toks;
    var depth = 0, comma = false;
    for (var k = 0; k < n; k++) {
      var t = toks[k];
      if (has(OPENING, t.type)) {
        depth += 1;
      } else if (has(CLOSING, t.type)) {
        depth -= 1;
        if (depth === 0 && k < n - 1) return toks;  // the first bracket closes early: (1, 2) + (3, 4)
      } else if (t.type === "_COMMA" && depth === 1) {
        comma = true;
      }
    }
    return comma ? toks.slice(1, n - 1) : toks;
  }

  // ============================================================================
  // 3. grammar                                                    quizgen/answers/grammar.py
  // ============================================================================
  function Node(op, args, value) {
    this.op = op;
    this.args = args || [];
    this.value = value;
    this.expo = null;
    this.bare = null;  // [position, name] of sin x: a function without brackets
    var vars = {};
    if (op === "var") vars[value] = true;
    var depth = 0;
    for (var i = 0; i < this.args.length; i++) {
      for (var v in this.args[i].vars) vars[v] = true;
      if (this.args[i].depth > depth) depth = this.args[i].depth;
    }
    this.vars = vars;
    this.depth = 1 + depth;
  }
  function spread(op, n) { return n.op === op ? n.args : [n]; }
  function bAdd(a, b) { return new Node("add", spread("add", a).concat(spread("add", b))); }
  function bSub(a, b) { return new Node("add", spread("add", a).concat([new Node("neg", [b])])); }
  function bMul(a, b) { return new Node("mul", spread("mul", a).concat(spread("mul", b))); }
  function bDiv(a, b) { return new Node("mul", spread("mul", a).concat([new Node("inv", [b])])); }
  function bNum(value) { return new Node("num", [], value); }

  var BRACKET_CLOSE = { _LPAR: "_RPAR", _LBRACK: "_RBRACK", _LBRACE: "_RBRACE" };

  // Recursive descent over the grammar in grammar.py (_GRAMMAR); like lark's LALR parser
  // it stops at the first token that cannot continue the input, so errors agree.
  // The factor a product ends with (through signs and divisions): sin x in 2 sin x, 1/sin x.
  function lastFactor(n) {
    for (;;) {
      if (n.op === "mul") n = n.args[n.args.length - 1];
      else if (n.op === "neg" || n.op === "inv") n = n.args[0];
      else return n;
    }
  }

  function parseTokens(toks) {
    var i = 0;
    var ambiguous = null;  // the first "sin x y" (by position), refused once the whole input parsed
    var END = { type: "$END", text: "", pos: 0 };
    function peek() { return i < toks.length ? toks[i] : END; }
    function fail(t) {
      if (t.type === "$END") throw new Invalid("incomplete");
      throw new Invalid("unexpected", { tok: t.text, pos: t.pos });
    }
    function expect(type) { var t = peek(); if (t.type !== type) fail(t); i += 1; return t; }
    function expr() {
      var n = term();
      for (;;) {
        var t = peek();
        if (t.type === "_PLUS") { i += 1; n = bAdd(n, term()); }
        else if (t.type === "_MINUS") { i += 1; n = bSub(n, term()); }
        else return n;
      }
    }
    function term() {
      var n = factor();
      for (;;) {
        var t = peek();
        if (t.type === "_STAR") { i += 1; n = bMul(n, factor()); }
        else if (t.type === "_SLASH") { i += 1; n = bDiv(n, factor()); }
        else if (t.type === "_IMPL") {
          i += 1;
          var bare = lastFactor(n).bare;
          if (bare !== null && (ambiguous === null || bare[0] < ambiguous[0])) ambiguous = bare;
          n = bMul(n, power());
        }
        else return n;
      }
    }
    function factor() {
      var t = peek();
      if (t.type === "_MINUS") { i += 1; return new Node("neg", [factor()]); }
      if (t.type === "_PLUS") { i += 1; return factor(); }
      return power();
    }
    function power() {
      var a = atom();
      if (peek().type === "_CARET") { i += 1; return new Node("pow", [a, factor()]); }
      return a;
    }
    function bracketed() {
      var t = peek();
      if (!has(BRACKET_CLOSE, t.type)) fail(t);
      i += 1;
      var e = expr();
      expect(BRACKET_CLOSE[t.type]);
      e.bare = null;  // (sin x) y is clear
      return e;
    }
    function barred() {
      expect("_LBAR");
      var e = expr();
      expect("_RBAR");
      return new Node("fn", [e], "abs");
    }
    function atom() {
      var t = peek();
      switch (t.type) {
        case "NUMBER": i += 1; return bNum(t.value);
        case "VAR": i += 1; return new Node("var", [], t.value);
        case "CONST": i += 1; return new Node("const", [], t.value);
        case "_LPAR": case "_LBRACK": case "_LBRACE": return bracketed();
        case "_LBAR": return barred();
        case "FUNC": {
          i += 1;
          var p = null;
          if (peek().type === "FPOW") { p = peek().value; i += 1; }
          var arg = peek().type === "_LBAR" ? barred() : bracketed();
          var f = new Node("fn", [arg], t.value);
          return p === null ? f : new Node("pow", [f, bNum(p)]);
        }
        case "FUNCARG": {
          i += 1;
          var q = null;
          if (peek().type === "FPOW") { q = peek().value; i += 1; }
          var g = new Node("fn", [factor()], t.value);
          var r = q === null ? g : new Node("pow", [g, bNum(q)]);
          r.bare = [t.pos, t.text];
          return r;
        }
        case "FUNC2": {
          i += 1;
          expect("_LPAR");
          var x1 = expr();
          expect("_COMMA");
          var x2 = expr();
          expect("_RPAR");
          return new Node("fn2", [x1, x2], t.value);
        }
        default: fail(t);
      }
    }
    var first = expr();
    if (peek().type === "_EQUAL") {
      i += 1;
      var rhs = expr();
      if (peek().type !== "$END") fail(peek());
      if (ambiguous !== null) throw new Invalid("func_brackets", { name: ambiguous[1], pos: ambiguous[0] });
      return ["eq", first, rhs];
    }
    var parts = [first];
    while (peek().type === "_COMMA") { i += 1; parts.push(expr()); }
    if (peek().type !== "$END") fail(peek());
    if (ambiguous !== null) throw new Invalid("func_brackets", { name: ambiguous[1], pos: ambiguous[0] });
    return ["parts", parts];
  }

  function parse(text, ctx) {
    if (typeof text !== "string") throw new Invalid("empty");
    if (text.length > MAX_LENGTH) {
      var count = 0;
      for (var ch of text) { count += 1; if (count > MAX_LENGTH) break; }
      if (count > MAX_LENGTH) throw new Invalid("too_long");
    }
    var s = Array.from(text);
    for (var i = 0; i < s.length; i++) {
      if (isControl(s[i])) throw new Invalid("control", { pos: i + 1 });
    }
    var blank = true;
    for (var k = 0; k < s.length; k++) { if (WHITESPACE.indexOf(s[k]) < 0) { blank = false; break; } }
    if (blank) throw new Invalid("empty");
    var form = parseTokens(tokenize(s, ctx));
    var nodes = form[0] === "parts" ? form[1] : [form[1], form[2]];
    for (var n = 0; n < nodes.length; n++) {
      if (nodes[n].depth > MAX_TREE_DEPTH) throw new Invalid("too_deep");
    }
    return form;
  }

  // ============================================================================
  // 4. evaluation                                                 quizgen/answers/evaluation.py
  // ============================================================================
  var INDEX = {};
  for (var ni = 0; ni < NAME_ORDER.length; ni++) INDEX[NAME_ORDER[ni]] = ni;
  var SPARE = 19;  // names outside NAME_ORDER share the last 19 sequences (see name_index in evaluation.py)
  function nameIndex(name) {
    if (has(INDEX, name)) return INDEX[name];
    var sum = 0;
    for (var ch of name) sum += ch.codePointAt(0);
    return N_SEQUENCES - SPARE + sum % SPARE;
  }
  function point(name, i) {
    var k = nameIndex(name);
    return POINTS[(i * MULTIPLIERS[k % 8] + 7 * k + Math.floor(k / N_POINTS)) % N_POINTS];
  }
  function qPoint(p) { return Q(BigInt(p[0]), BigInt(p[1])); }
  function noVars(node) { for (var v in node.vars) return false; return true; }
  function varList(node) { return Object.keys(node.vars).sort(); }

  var EXACT_FUNCTIONS = { abs: 1, relu: 1, sgn: 1 };  // rational at rational points
  function rational(node) {
    var op = node.op;
    if (op === "num" || op === "var") return true;
    if (op === "const") return false;
    if (op === "fn") return has(EXACT_FUNCTIONS, node.value) && rational(node.args[0]);
    if (op === "fn2") return rational(node.args[0]) && rational(node.args[1]);
    if (op === "pow") {
      var base = node.args[0], ex = node.args[1];
      if (!noVars(ex) || !rational(ex)) return false;
      var n;
      try {
        n = evQ(ex, {});
      } catch (err) {
        if (err instanceof Undef) return rational(base);
        throw err;
      }
      if (qCmp(qAbs(n), Q(BigInt(MAX_EXPONENT))) > 0) throw new Invalid("big_exponent");
      if (n.d !== 1n) return false;
      node.expo = n;
      return rational(base);
    }
    for (var i = 0; i < node.args.length; i++) if (!rational(node.args[i])) return false;
    return true;
  }

  function evQ(node, env) {
    var op = node.op, i, v;
    if (op === "num") return node.value[0];
    if (op === "var") return env[node.value];
    if (op === "add") {
      var s = Q(0n);
      for (i = 0; i < node.args.length; i++) s = chk(qAdd(s, evQ(node.args[i], env)));
      return s;
    }
    if (op === "mul") {
      var p = Q(1n);
      for (i = 0; i < node.args.length; i++) p = chk(qMul(p, evQ(node.args[i], env)));
      return p;
    }
    if (op === "neg") return qNeg(evQ(node.args[0], env));
    if (op === "inv") {
      v = evQ(node.args[0], env);
      if (qIsZero(v)) throw new Undef("zero");
      return Q(v.d, v.n);
    }
    if (op === "pow") {
      var n = evQ(node.args[1], env);
      if (qCmp(qAbs(n), Q(BigInt(MAX_EXPONENT))) > 0) throw new Invalid("big_exponent");
      if (n.d !== 1n) throw NOT_RATIONAL;
      var b = evQ(node.args[0], env);
      var k = Number(n.n);
      if (qIsZero(b)) {
        if (k < 0) throw new Undef("zero");
        return k === 0 ? Q(1n) : Q(0n);
      }
      var ak = Math.abs(k);
      if ((bitLength(b.n) - 1) * ak >= MAX_BITS || (bitLength(b.d) - 1) * ak >= MAX_BITS) throw new Invalid("too_big");
      var big = BigInt(ak);
      var r = k >= 0 ? Q(b.n ** big, b.d ** big) : Q(b.d ** big, b.n ** big);
      return chk(r);
    }
    if (op === "fn" && node.value === "abs") return qAbs(evQ(node.args[0], env));
    if (op === "fn" && node.value === "relu") { v = evQ(node.args[0], env); return v.n > 0n ? v : Q(0n); }
    if (op === "fn" && node.value === "sgn") { v = evQ(node.args[0], env); return Q(v.n > 0n ? 1n : v.n < 0n ? -1n : 0n); }
    if (op === "fn2") {
      var x = evQ(node.args[0], env), y = evQ(node.args[1], env);
      return (node.value === "max" ? qCmp(x, y) >= 0 : qCmp(x, y) <= 0) ? x : y;
    }
    throw NOT_RATIONAL;
  }

  function fin(v) {
    if (!Number.isFinite(v)) throw new Undef("overflow");
    return v;
  }

  function fpow(b, e) {
    if (e === Math.floor(e) && Math.abs(e) <= 1024) {
      var k = Math.abs(e);
      if (b === 0 && e < 0) throw new Undef("zero");
      var r = 1.0, base = b;
      while (k) {
        if (k & 1) r *= base;
        k >>= 1;
        if (k) base *= base;
      }
      if (e < 0) {
        if (r === 0) throw new Undef("overflow");
        r = 1 / r;
      }
      return fin(r);
    }
    if (b < 0) throw new Undef("domain");
    if (b === 0) {
      if (e < 0) throw new Undef("zero");
      return 0.0;
    }
    return fin(Math.pow(b, e));
  }

  function ffn(name, v) {
    switch (name) {
      case "sin": return fin(Math.sin(v));
      case "cos": return fin(Math.cos(v));
      case "tan": return fin(Math.tan(v));
      case "sec": case "csc": case "cot": {
        var c = Math.cos(v), s = Math.sin(v);
        var d = name === "sec" ? c : s;
        if (d === 0) throw new Undef("zero");
        return fin((name === "cot" ? c : 1.0) / d);
      }
      case "exp": return fin(Math.exp(v));
      case "log":
        if (v <= 0) throw new Undef("domain");
        return fin(Math.log(v));
      case "sqrt":
        if (v < 0) throw new Undef("domain");
        return fin(Math.sqrt(v));
      case "abs": return Math.abs(v);
      case "asin": case "acos":
        if (v < -1 || v > 1) throw new Undef("domain");
        return fin(name === "asin" ? Math.asin(v) : Math.acos(v));
      case "atan": return fin(Math.atan(v));
      case "sinh": return fin(Math.sinh(v));
      case "cosh": return fin(Math.cosh(v));
      case "tanh": return fin(Math.tanh(v));
      case "sigmoid": {  // never overflows: e^(-|v|) <= 1
        var t = Math.exp(-Math.abs(v));
        return v >= 0 ? 1.0 / (1.0 + t) : t / (1.0 + t);
      }
      case "relu": return v > 0 ? v : 0.0;
      case "sgn": return v > 0 ? 1.0 : v < 0 ? -1.0 : 0.0;
      case "asinh": return fin(Math.asinh(v));
      case "acosh":
        if (v < 1) throw new Undef("domain");
        return fin(Math.acosh(v));
      case "atanh":
        if (v <= -1 || v >= 1) throw new Undef("domain");
        return fin(Math.atanh(v));
    }
    throw new Error("unknown function " + name);
  }

  function mm(a, b) { return a === 0 || b === 0 ? 0.0 : a * b; }

  function powMag(b, mb, e, me, r) {
    if (b === 0) {
      if (e === 0) return 1.0;
      if (mb === 0) return Math.abs(r);
      return e >= 1 ? mb : Infinity;
    }
    var rel = 1.0 + mm(Math.abs(e), mb / Math.abs(b)) + mm(Math.abs(Math.log(Math.abs(b))), me);
    return mm(Math.abs(r), rel);
  }

  function fnMag(name, a, ma, r) {
    if (ma === 0) return Math.abs(r);
    var d, root, t;
    switch (name) {
      case "sin": case "cos": d = Math.sqrt(Math.max(0.0, 1.0 - r * r)); break;
      case "tan": case "cot": d = 1.0 + r * r; break;
      case "sec": case "csc": d = Math.abs(r) * Math.sqrt(Math.max(0.0, r * r - 1.0)); break;
      case "exp": d = r; break;
      case "log": d = 1.0 / a; break;
      case "sqrt":
        root = Math.sqrt(ma / EPS);
        return Math.abs(r) + (r === 0 ? root : Math.min(ma / (2.0 * r), root));
      case "asin": case "acos":
        t = 1.0 - a * a;
        root = Math.sqrt(2.0 * ma / EPS);
        return Math.abs(r) + (t <= 0 ? root : Math.min(ma / Math.sqrt(t), root));
      case "atan": d = 1.0 / (1.0 + a * a); break;
      case "sinh": d = Math.sqrt(1.0 + r * r); break;
      case "cosh": d = Math.sqrt(Math.max(0.0, r * r - 1.0)); break;
      case "tanh": d = 1.0 - r * r; break;
      case "sigmoid": d = r * (1.0 - r); break;
      case "sgn":  // a jump at 0: unreliable where the argument's own error could reach 0
        return Math.abs(a) > NOISE * EPS * ma ? Math.abs(r) : 2.0 / (NOISE * EPS);
      case "asinh": d = 1.0 / Math.sqrt(1.0 + a * a); break;
      case "acosh":
        t = a * a - 1.0;
        root = Math.sqrt(2.0 * ma / EPS);
        return Math.abs(r) + (t <= 0 ? root : Math.min(ma / Math.sqrt(t), root));
      case "atanh": d = 1.0 / (1.0 - a * a); break;
      default: d = 1.0;
    }
    return Math.abs(r) + mm(d, ma);
  }

  // [value, magnitude] at a point; Undef where there is none.
  function evF(node, env) {
    var op = node.op, i, v, r;
    if (op === "num") return [node.value[1], Math.abs(node.value[1])];
    if (op === "var") return [env[node.value], Math.abs(env[node.value])];
    if (op === "const") return node.value === "pi" ? [Math.PI, Math.PI] : [Math.E, Math.E];
    if (op === "add") {
      var s = 0.0, ms = 0.0;
      for (i = 0; i < node.args.length; i++) {
        v = evF(node.args[i], env);
        s = fin(s + v[0]);
        ms += v[1];
      }
      return [s, ms];
    }
    if (op === "mul") {
      var p = 1.0, mp = 1.0;
      for (i = 0; i < node.args.length; i++) {
        v = evF(node.args[i], env);
        p = fin(p * v[0]);
        mp = mm(mp, v[1]);
      }
      return [p, mp];
    }
    if (op === "neg") { v = evF(node.args[0], env); return [-v[0], v[1]]; }
    if (op === "inv") {
      v = evF(node.args[0], env);
      if (v[0] === 0) throw new Undef("zero");
      r = fin(1 / v[0]);
      return [r, mm(v[1] / Math.abs(v[0]), Math.abs(r))];
    }
    if (op === "pow") {
      var e = evF(node.args[1], env);
      if (noVars(node.args[1]) && Math.abs(e[0]) > MAX_EXPONENT) throw new Invalid("big_exponent");
      var b = evF(node.args[0], env);
      r = fpow(b[0], e[0]);
      return [r, powMag(b[0], b[1], e[0], e[1], r)];
    }
    if (op === "fn2") {
      var fa = evF(node.args[0], env), fb = evF(node.args[1], env);
      r = node.value === "max" ? (fb[0] > fa[0] ? fb[0] : fa[0]) : (fb[0] < fa[0] ? fb[0] : fa[0]);  // as Python's max/min
      return [r, Math.max(fa[1], fb[1], Math.abs(r))];
    }
    v = evF(node.args[0], env);
    r = ffn(node.value, v[0]);
    return [r, fnMag(node.value, v[0], v[1], r)];
  }

  function Expr(node) {
    this.node = node;
    this.vars = node.vars;
    this.exact = rational(node);
    this.cache = {};
    this.noiseList = [];
    this.reason = "";
  }
  Expr.prototype.values = function (exact) {
    var key = exact ? "q" : "f";
    if (!has(this.cache, key)) {
      var out = [];
      var letters = varList(this.node);
      for (var i = 0; i < N_POINTS; i++) {
        var env = {};
        for (var l = 0; l < letters.length; l++) {
          var p = point(letters[l], i);
          env[letters[l]] = exact ? qPoint(p) : p[0] / p[1];
        }
        try {
          if (exact) {
            out.push(evQ(this.node, env));
          } else {
            var vm = evF(this.node, env);
            out.push(vm[0]);
            this.noiseList.push(NOISE * EPS * vm[1]);
          }
        } catch (err) {
          if (!(err instanceof Undef)) throw err;
          if (!this.reason) this.reason = err.reason;
          out.push(null);
          if (!exact) this.noiseList.push(0.0);
        }
      }
      this.cache[key] = out;
    }
    return this.cache[key];
  };
  Expr.prototype.noise = function () {
    this.values(false);
    return this.noiseList;
  };
  Expr.prototype.validate = function () {
    var vals = this.values(this.exact);
    for (var i = 0; i < vals.length; i++) if (vals[i] !== null) return;
    throw new Invalid(UNDEFINED[this.reason]);
  };

  function Tol(rtol, atol) { this.rtol = rtol; this.atol = atol; this.given = rtol !== null || atol !== null; }
  var NO_TOL = new Tol(null, null);

  function close(a, b, exact, tol, noise) {
    if (exact) {
      if (!tol.given) return qEq(a, b);
      var rt = qFromDouble(tol.rtol || 0.0), at = qFromDouble(tol.atol || 0.0);
      return qCmp(qAbs(qSub(a, b)), qMax(qMul(rt, qMax(qAbs(a), qAbs(b))), at)) <= 0;
    }
    var rel = Math.max(tol.rtol || 0.0, REL_TOL);
    var ab = Math.max(tol.atol || 0.0, ABS_TOL);
    return Math.abs(a - b) <= Math.max(rel * Math.max(Math.abs(a), Math.abs(b)), ab, noise || 0.0);
  }

  function agree(va, ve, exact, tol, na, ne) {
    var i, a, e, noise = null;
    if (!exact && na && ne) {
      var sums = [], keep = [], solid = 0;
      for (i = 0; i < va.length; i++) {
        sums.push(na[i] + ne[i]);
        a = va[i]; e = ve[i];
        keep.push(a !== null && e !== null && sums[i] <= Math.max(RELIABLE * Math.max(Math.abs(a), Math.abs(e)), ABS_TOL));
        if (keep[i] && Math.max(Math.abs(a), Math.abs(e)) > ABS_TOL) solid += 1;
      }
      if (solid >= MIN_COMMON) {  // leave out the points where rounding noise swamps the values
        va = va.slice(); ve = ve.slice();
        for (i = 0; i < va.length; i++) {
          if (va[i] !== null && ve[i] !== null && !keep[i]) { va[i] = null; ve[i] = null; }
        }
        noise = sums;
      }
    }
    var common = 0, defined = 0;
    for (i = 0; i < va.length; i++) {
      a = va[i]; e = ve[i];
      if (e !== null) defined += 1;
      if (a === null || e === null) continue;
      common += 1;
      if (!close(a, e, exact, tol, noise === null ? 0.0 : noise[i])) return false;
    }
    return common >= 1 && common >= Math.min(MIN_COMMON, defined);
  }

  function pair(a, e) {
    var exact = a.exact && e.exact;
    if (exact) return [a.values(true), e.values(true), true, null, null];
    return [a.values(false), e.values(false), false, a.noise(), e.noise()];
  }
  function same(a, e, tol) {
    var p = pair(a, e);
    return agree(p[0], p[1], p[2], tol, p[3], p[4]);
  }
  function diff(l, r, exact) {
    var lv = l.values(exact), rv = r.values(exact), out = [];
    for (var i = 0; i < lv.length; i++) {
      var x = lv[i], y = rv[i];
      if (x === null || y === null) out.push(null);
      else if (exact) out.push(qSub(x, y));
      else { var d = x - y; out.push(Number.isFinite(d) ? d : null); }
    }
    return out;
  }
  function mapDefined(vals, f) {
    return vals.map(function (y) { return y === null ? null : f(y); });
  }

  function sameEquation(a, e) {
    var exact = a[0].exact && a[1].exact && e[0].exact && e[1].exact;
    var d1 = diff(a[0], a[1], exact), d2 = diff(e[0], e[1], exact);
    var k = null;
    for (var i = 0; i < d1.length; i++) {
      var x = d1[i], y = d2[i];
      if (x !== null && y !== null && (exact ? !qIsZero(y) : Math.abs(y) > ABS_TOL)) {
        k = exact ? qDiv(x, y) : x / y;
        break;
      }
    }
    if (k === null) return agree(d1, mapDefined(d2, function () { return exact ? Q(0n) : 0.0; }), exact, NO_TOL);
    if (exact ? qIsZero(k) : (k === 0 || Math.abs(k) <= ABS_TOL)) return false;
    return agree(d1, mapDefined(d2, function (y) { return exact ? qMul(y, k) : y * k; }), exact, NO_TOL);
  }

  // Equivalence of whole answers: values, lists, and equations up to a constant factor.
  function explicit(form) {
    if (form[0] !== "eq") return null;
    var lhs = form[1], rhs = form[2];
    if (lhs.node.op === "var" && !has(rhs.vars, lhs.node.value)) return [lhs.node.value, rhs];
    if (rhs.node.op === "var" && !has(lhs.vars, rhs.node.value)) return [rhs.node.value, lhs];
    return null;
  }
  function wrap(form) {
    if (form[0] === "parts") return ["parts", form[1].map(function (n) { return new Expr(n); })];
    return ["eq", new Expr(form[1]), new Expr(form[2])];
  }
  function exprs(form) { return form[0] === "parts" ? form[1] : [form[1], form[2]]; }

  function equivalent(a, e, tol) {
    var ex, ax;
    if (e[0] === "eq") {
      ex = explicit(e);
      if (a[0] === "parts") return ex !== null && a[1].length === 1 && same(a[1][0], ex[1], tol);
      ax = explicit(a);
      if (ex !== null && ax !== null && ax[0] === ex[0]) return same(ax[1], ex[1], tol);
      return sameEquation([a[1], a[2]], [e[1], e[2]]);
    }
    if (a[0] === "eq") {
      ax = explicit(a);
      if (e[1].length !== 1 || ax === null || has(e[1][0].vars, ax[0])) return false;
      return same(ax[1], e[1][0], tol);
    }
    if (a[1].length !== e[1].length) return false;
    for (var i = 0; i < a[1].length; i++) if (!same(a[1][i], e[1][i], tol)) return false;
    return true;
  }

  // ============================================================================
  // 5. feedback                                                   quizgen/answers/feedback.py
  // ============================================================================
  function keys(set) { return Object.keys(set); }
  function minus(a, b) { var out = {}; for (var v in a) if (!has(b, v)) out[v] = true; return out; }
  function size(set) { return Object.keys(set).length; }
  function sameSet(a, b) { return size(a) === size(b) && size(minus(a, b)) === 0; }

  function andList(items) {
    if (items.length === 1) return items[0];
    return msg("list_and", { rest: items.slice(0, -1).join(", "), last: items[items.length - 1] });
  }
  function names(letters) { return andList(letters.slice().sort()); }
  function superscript(n) {
    return String(n).split("").map(function (d) { return SUPERSCRIPTS[Number(d)]; }).join("");
  }

  function polynomial(node) {
    var op = node.op;
    if (op === "num" || op === "var") return true;
    if (op === "inv" || op === "fn") return noVars(node.args[0]);
    if (op === "fn2") return noVars(node);
    if (op === "pow") {
      return noVars(node.args[0]) || (node.expo !== null && node.expo.n >= 0n && polynomial(node.args[0]));
    }
    for (var i = 0; i < node.args.length; i++) if (!polynomial(node.args[i])) return false;
    return true;
  }

  function hasSum(node) {
    if (node.op === "add") return true;
    for (var i = 0; i < node.args.length; i++) if (hasSum(node.args[i])) return true;
    return false;
  }

  // A product of numbers and powers of single variables (see _expanded_term in feedback.py).
  function expandedTerm(node) {
    var op = node.op;
    if (noVars(node)) return !hasSum(node);
    if (op === "var") return true;
    if (op === "neg" || op === "mul") {
      for (var i = 0; i < node.args.length; i++) if (!expandedTerm(node.args[i])) return false;
      return true;
    }
    if (op === "pow") {
      var base = node.args[0], ex = node.args[1];
      return base.op === "var" && ex.op === "num" && ex.value[0].d === 1n && ex.value[0].n >= 0n;
    }
    return false;
  }

  // A number written out, or a fraction of two, with at most one minus in front (see literal in feedback.py).
  function isNumber(node) {
    if (node.op === "neg") node = node.args[0];
    return node.op === "num";
  }
  function literal(node) {
    if (node.op === "neg") node = node.args[0];
    if (node.op === "num") return true;
    if (node.op === "mul" && node.args.length === 2) {
      var top = node.args[0], bottom = node.args[1];
      return isNumber(top) && bottom.op === "inv" && isNumber(bottom.args[0]);
    }
    return false;
  }

  function expanded(node) {
    var terms = node.op === "add" ? node.args : [node];
    for (var i = 0; i < terms.length; i++) if (!expandedTerm(terms[i])) return false;
    return true;
  }

  function degree(node) {
    var op = node.op, i, m;
    if (noVars(node)) return 0;
    if (op === "var") return 1;
    if (op === "add") { m = 0; for (i = 0; i < node.args.length; i++) m = Math.max(m, degree(node.args[i])); return m; }
    if (op === "mul") { m = 0; for (i = 0; i < node.args.length; i++) m += degree(node.args[i]); return m; }
    if (op === "neg") return degree(node.args[0]);
    if (op === "pow") return degree(node.args[0]) * (node.expo === null ? 0 : Number(node.expo.n));
    return 0;
  }

  function slip(a, e) {
    if (size(e.vars) !== 1 || !sameSet(a.vars, e.vars) || !(a.exact && e.exact)) return null;
    if (!(polynomial(a.node) && polynomial(e.node))) return null;
    var top = Math.max(degree(a.node), degree(e.node));
    if (top > 2 * MAX_EXPONENT) return null;
    var v = keys(e.vars)[0];
    var va = a.values(true), ve = e.values(true), i;
    for (i = 0; i < N_POINTS; i++) if (va[i] === null || ve[i] === null) return null;
    var xs = [], d = [], powers = [];
    for (i = 0; i < N_POINTS; i++) {
      xs.push(qPoint(point(v, i)));
      d.push(qSub(va[i], ve[i]));
      powers.push(Q(1n));
    }
    for (var k = 0; k <= top; k++) {
      var c = qDiv(d[0], powers[0]);
      if (!qIsZero(c)) {
        var all = true;
        for (i = 0; i < N_POINTS; i++) { if (!qEq(d[i], qMul(c, powers[i]))) { all = false; break; } }
        if (all) {
          if (k === 0) return msg("slip_constant");
          return msg("slip_term", { var: v, power: k === 1 ? "" : superscript(k) });
        }
      }
      for (i = 0; i < N_POINTS; i++) powers[i] = qMul(powers[i], xs[i]);
    }
    return null;
  }

  function feedback(a, e, tol) {
    var extra = minus(a.vars, e.vars);
    if (size(e.vars) === 0 && size(a.vars) > 0) {
      return msg("should_be_number", { names: names(keys(a.vars)) });
    }
    var p;
    if (has(a.vars, "h")) {
      p = pair(a, e);
      var exact = p[2];
      var timesH = [], noiseH = p[4] === null ? null : [];
      for (var i = 0; i < N_POINTS; i++) {
        var y = p[1][i], hp = point("h", i);
        timesH.push(y === null ? null : exact ? qMul(y, qPoint(hp)) : y * (hp[0] / hp[1]));
        if (noiseH !== null) noiseH.push(p[4][i] * Math.abs(hp[0] / hp[1]));
      }
      if (agree(p[0], timesH, exact, tol, p[3], noiseH)) return msg("forgot_divide");
    }
    if (has(extra, "h")) return msg("still_h");
    if (size(extra)) return msg("extra_vars", { names: names(keys(extra)) });
    p = pair(a, e);
    var ex = p[2];
    if (agree(p[0], mapDefined(p[1], function (y) { return ex ? qNeg(y) : -y; }), ex, tol, p[3], p[4])) return msg("sign");
    var missing = minus(e.vars, a.vars);
    if (size(missing) && !size(a.vars)) return msg("need_vars", { names: names(keys(e.vars)) });
    if (size(missing)) return msg("missing_vars", { names: names(keys(missing)) });
    var s = slip(a, e);
    if (s) return s;
    // A number within 1 % of an exact key (0.9 for 0.9082): rounded, not wrong in kind.
    if (ex && !tol.given && !size(a.vars) && !size(e.vars) && p[0].length && p[0][0] !== null &&
        p[1][0] !== null && !qIsZero(p[1][0]) &&
        qCmp(qMul(qAbs(qSub(p[0][0], p[1][0])), Q(100n, 1n)), qAbs(p[1][0])) <= 0) return msg("rounded");
    return msg(tol.given ? "wrong_tol" : "wrong");
  }

  function countMessage(a, e) {
    var n = e[0] === "eq" ? 1 : e[1].length;
    if (a[0] === "eq") return n > 1 ? msg("count_equation", { n: n }) : null;
    var m = a[1].length;
    if (m === n) return null;
    if (n === 1) return msg("count_single", { m: m });
    return msg("count", { n: n, m: m });
  }

  // ============================================================================
  // 6. check                                                      quizgen/answers/checking.py
  // ============================================================================
  function verdict(status, message) { return { status: status, message: message }; }

  function validateAll(form) {
    var xs = exprs(form);
    for (var i = 0; i < xs.length; i++) xs[i].validate();
  }

  // X typed where the key has x (and no X): refused with a hint, never marked wrong.
  function wrongCase(a, e) {
    var want = {}, got = {}, xs = exprs(e), i, v;
    for (i = 0; i < xs.length; i++) for (v in xs[i].vars) want[v] = true;
    xs = exprs(a);
    for (i = 0; i < xs.length; i++) for (v in xs[i].vars) got[v] = true;
    var extra = Object.keys(minus(got, want)).sort();
    for (i = 0; i < extra.length; i++) {
      var c = extra[i][0], twin = (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()) + extra[i].slice(1);
      if (has(want, twin)) return msg("case", { got: extra[i], want: twin });
    }
    return null;
  }

  // ---------------------------------------------------------------- the asked quantity on the left
  // f'(2) = 9, w1: 1.2, dL/da = -6: see _label in checking.py (the same rules, step for step).
  var LABEL_NAME = "[A-Za-z\u03b1-\u03c9]+(?:_\\{[0-9]+\\}|_?[0-9]+|[\u2080-\u2089]+)?";
  var LABEL_RE = new RegExp("^(?:" + LABEL_NAME + "['\u2032\u2019\u2033]*(?:\\([A-Za-z0-9\u03b1-\u03c9\u2080-\u2089+\\-\u2212.,/ '\u2032]*\\))?" +
    "|[d\u2202] *" + LABEL_NAME + " */ *[d\u2202] *" + LABEL_NAME + ")$");
  var LABEL_CHARS = { "\u2032": "'", "\u2019": "'", "\u2033": "''", "\u2202": "d", "\u2212": "-" };

  function labelNorm(text) {
    var out = "", chars = Array.from(text.toLowerCase());
    for (var i = 0; i < chars.length; i++) {
      var ch = chars[i];
      if (" _{}*\u00b7".indexOf(ch) >= 0) continue;
      var d = SUB_DIGITS.indexOf(ch);
      if (d >= 0 && ch.length === 1) ch = String(d);
      out += has(LABEL_CHARS, ch) ? LABEL_CHARS[ch] : ch;
    }
    return out;
  }
  function stripWhite(text) {
    var s = Array.from(text), i = 0, j = s.length;
    while (i < j && WHITESPACE.indexOf(s[i]) >= 0) i += 1;
    while (j > i && WHITESPACE.indexOf(s[j - 1]) >= 0) j -= 1;
    return s.slice(i, j).join("");
  }
  // [answer with a left side naming the asked quantity blanked out, or a verdict when it names another]
  function cutLabel(answer, labels) {
    var s = Array.from(answer), cut = -1;
    if (s.length > MAX_LENGTH) return [answer, null];
    for (var i = 0; i < s.length; i++) if (s[i] === "=" || s[i] === ":") { cut = i; break; }
    if (cut < 0) return [answer, null];
    var lhs = stripWhite(s.slice(0, cut).join(""));
    if (!LABEL_RE.test(lhs)) return [answer, null];
    var key = labelNorm(lhs);
    for (var k = 0; k < labels.length; k++) {
      if (labelNorm(labels[k]) === key) return [" ".repeat(cut + 1) + s.slice(cut + 1).join(""), null];
    }
    if (/^[A-Za-z]$/.test(lhs) && (lhs === "y" || !labels.length)) {
      return [s.slice(0, cut).join("") + "=" + s.slice(cut + 1).join(""), null];
    }
    var shown = Array.from(lhs).slice(0, 30).join("");
    if (labels.length) return [answer, verdict("incorrect", msg("label_wrong", { lhs: shown, label: labels[0] }))];
    return [answer, verdict("invalid", msg("label_unknown", { lhs: shown }))];
  }

  function checkStrict(answer, expected, tol, mistakes, form, labels) {
    var ctx, e, a;
    try {
      ctx = typeof expected === "string" ? context(expected) : {};
      e = wrap(parse(expected, ctx));
      validateAll(e);
    } catch (err) {
      if (err instanceof Invalid) return verdict("invalid", BAD_EXPECTED);
      throw err;
    }
    if (typeof answer === "string" && e[0] !== "eq") {
      var cl = cutLabel(answer, (labels || []).filter(function (x) { return typeof x === "string"; }));
      if (cl[1] !== null) return cl[1];
      answer = cl[0];
    }
    try {
      a = wrap(parse(answer, ctx));
      validateAll(a);
    } catch (err) {
      if (err instanceof Invalid) return verdict("invalid", err.message);
      throw err;
    }
    var caseMsg = wrongCase(a, e);
    if (caseMsg !== null) return verdict("invalid", caseMsg);
    var count = countMessage(a, e);
    if (count) return verdict("incorrect", count);
    var places = roundedPlaces(form);
    if (places !== null) return rounded(a, e, places, tol, mistakes, ctx);
    try {
      if (equivalent(a, e, tol)) {
        if (form === "expanded") {
          var xs = exprs(a);
          for (var k = 0; k < xs.length; k++) if (!expanded(xs[k].node)) return verdict("incorrect", msg("not_expanded"));
        }
        if (form === "value") {
          var vs = exprs(a);
          for (var j = 0; j < vs.length; j++) if (!literal(vs[j].node)) return verdict("incorrect", msg("not_value"));
        }
        return verdict("correct", CORRECT);
      }
    } catch (err) {
      if (err instanceof Invalid) return verdict("invalid", err.message);
      throw err;
    }
    for (var i = 0; i < mistakes.length; i++) {
      var item = mistakes[i];
      try {
        if (!Array.isArray(item) || item.length !== 2) continue;
        var m = wrap(parse(item[0], ctx));
        validateAll(m);
        if (equivalent(a, m, tol)) return verdict("incorrect", String(item[1]));
      } catch (err) {
        if (err instanceof Invalid) continue;
        throw err;
      }
    }

    var ex = explicit(e), ax;
    if (e[0] === "eq") {
      if (a[0] === "parts") {
        if (ex === null) return verdict("incorrect", msg("need_equation"));
        return verdict("incorrect", feedback(a[1][0], ex[1], tol));
      }
      ax = explicit(a);
      if (ex !== null && ax !== null && ax[0] === ex[0]) return verdict("incorrect", feedback(ax[1], ex[1], tol));
      return verdict("incorrect", msg("wrong_equation"));
    }
    if (a[0] === "eq") {
      ax = explicit(a);
      if (ax === null || has(e[1][0].vars, ax[0])) return verdict("incorrect", msg("not_equation"));
      return verdict("incorrect", feedback(ax[1], e[1][0], tol));
    }
    if (e[1].length === 1) return verdict("incorrect", feedback(a[1][0], e[1][0], tol));
    var wrong = [];
    for (var j = 0; j < a[1].length; j++) if (!same(a[1][j], e[1][j], tol)) wrong.push(String(j + 1));
    if (wrong.length === 1) return verdict("incorrect", msg("value_wrong", { i: wrong[0] }));
    return verdict("incorrect", msg("values_wrong", { values: andList(wrong) }));
  }

  // ---------------------------------------------------------------- form "rounded:N"
  // The key is the decimal rounded to N places; a typed number counts within half a unit of
  // its last place, ends included (see _rounded in checking.py). Exact (BigInt rationals).
  function roundedPlaces(form) {
    var m = typeof form === "string" ? /^rounded:([0-9]{1,2})$/.exec(form) : null;
    return m && Number(m[1]) <= MAX_PLACES ? Number(m[1]) : null;
  }
  function placesText(n) { return n === 1 ? msg("places_one") : msg("places_many", { n: n }); }

  // A number as typed (-0.7616, 3/4): [exact value, digits after the point or null for a fraction], else null.
  function decimal(node) {
    var sign = false;
    if (node.op === "neg") { sign = true; node = node.args[0]; }
    var r = null;
    if (node.op === "num") {
      r = [node.value[0], node.value[2]];
    } else if (node.op === "mul" && node.args.length === 2 && node.args[1].op === "inv") {
      var top = decimal(node.args[0]), bottom = decimal(node.args[1].args[0]);
      if (top !== null && bottom !== null && !qIsZero(bottom[0]) && node.args[0].op !== "mul") r = [qDiv(top[0], bottom[0]), null];
    }
    if (r !== null && sign) r = [qNeg(r[0]), r[1]];
    return r;
  }
  // |q - key| * 10^n <= units
  function within(q, key, units, n) { return qCmp(qMul(qAbs(qSub(q, key)), Q(pow10(n))), units) <= 0; }
  var HALF = Q(1n, 2n);

  function roundedOne(x, y, n, tol) {
    var key = decimal(y.node)[0];
    var typed = decimal(x.node);
    if (typed !== null) {
      var q = typed[0], k = typed[1];
      if (within(q, key, HALF, n)) return null;
      if (within(qNeg(q), key, HALF, n)) return msg("sign");
      if (k !== null && k < n &&
          qCmp(qMul(qAbs(qSub(q, key)), Q(2n * pow10(k))), qAdd(Q(1n), Q(1n, pow10(n - k)))) <= 0) {
        return msg("rounded_short", { places: placesText(n), given: placesText(k) });
      }
      if (k !== null && k >= n && within(q, key, Q(3n, 2n), n)) return msg("rounded_digit", { places: placesText(n) });
      return msg("wrong");
    }
    if (size(x.vars)) return feedback(x, y, tol);
    var value = x.values(x.exact)[0];
    if (value !== null) {
      var close;
      if (x.exact) close = within(value, key, HALF, n);
      else close = Math.abs(value - y.values(false)[0]) <= 0.5 * Math.pow(10, -n) + x.noise()[0] + 1e-15 * Math.abs(value);
      if (close) return msg("rounded_not_value", { places: placesText(n) });
    }
    return msg("wrong");
  }

  function rounded(a, e, n, tol, mistakes, ctx) {
    var keyList = e[0] === "parts" ? e[1] : [], i, j;
    if (!keyList.length) return verdict("invalid", BAD_EXPECTED);
    for (i = 0; i < keyList.length; i++) if (decimal(keyList[i].node) === null) return verdict("invalid", BAD_EXPECTED);
    var typed;
    if (a[0] === "eq") {
      var ax = explicit(a);
      if (ax === null || keyList.length !== 1) return verdict("incorrect", msg("not_equation"));
      typed = [ax[1]];
    } else {
      typed = a[1];
    }
    var says = [], allRight = true;
    for (i = 0; i < typed.length; i++) {
      says.push(roundedOne(typed[i], keyList[i], n, tol));
      if (says[i] !== null) allRight = false;
    }
    if (allRight) return verdict("correct", CORRECT);
    for (i = 0; i < mistakes.length; i++) {
      var item = mistakes[i];
      try {
        if (!Array.isArray(item) || item.length !== 2) continue;
        var m = wrap(parse(item[0], ctx));
        validateAll(m);
        if (m[0] === "parts" && m[1].length === typed.length) {
          var ok = true;
          for (j = 0; j < m[1].length; j++) if (decimal(m[1][j].node) === null) ok = false;
          if (ok) {
            var hit = true;
            for (j = 0; j < typed.length; j++) if (roundedOne(typed[j], m[1][j], n, tol) !== null) { hit = false; break; }
            if (hit) return verdict("incorrect", String(item[1]));
            continue;
          }
        }
        if (equivalent(a, m, tol)) return verdict("incorrect", String(item[1]));
      } catch (err) {
        if (err instanceof Invalid) continue;
        throw err;
      }
    }
    if (says.length === 1) return verdict("incorrect", says[0]);
    var wrong = [];
    for (i = 0; i < says.length; i++) if (says[i] !== null) wrong.push(String(i + 1));
    if (wrong.length === 1) return verdict("incorrect", msg("value_wrong", { i: wrong[0] }));
    return verdict("incorrect", msg("values_wrong", { values: andList(wrong) }));
  }

  // ---------------------------------------------------------------- parts
  // A multi-part answer graded part by part: grade_parts and _pieces in quizgen/keys.py, step for step.
  var NUMBER_TEXT = /^\s*[-+\u2212]?\s*(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:\s*\/\s*[0-9]+)?\s*$/;
  var SUBSCRIPT_DIGITS = "\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087\u2088\u2089";
  var PART_WORDS = { yes: 1, y: 1, "true": 1, no: 1, n: 1, "false": 1, rising: 1, increasing: 1, up: 1, falling: 1,
                     decreasing: 1, down: 1, flat: 1, stationary: 1, level: 1 };

  function clipText(text, width) { return text.length <= width ? text : text.slice(0, width - 1) + "\u2026"; }
  function has(obj, key) { return obj !== null && typeof obj === "object" && Object.prototype.hasOwnProperty.call(obj, key); }

  function labelKey(text) {
    var out = "", t = text.trim().toLowerCase();
    for (var i = 0; i < t.length; i++) {
      var ch = t[i], d = SUBSCRIPT_DIGITS.indexOf(ch);
      if (d >= 0) out += String(d);
      else if (ch === "\u2032" || ch === "\u2019") out += "'";  // primes kept: f(5) does not answer f\u2032(5)
      else if (" _*\u2202".indexOf(ch) < 0) out += ch;
    }
    return out;
  }

  function pieces(typed) {
    var out = [], chunks = typed.split(/[;\n]/);
    for (var c = 0; c < chunks.length; c++) {
      var chunk = chunks[c], depth = 0, start = 0, cut = [];
      for (var i = 0; i < chunk.length; i++) {
        var ch = chunk[i];
        depth += "([".indexOf(ch) >= 0 ? 1 : ")]".indexOf(ch) >= 0 ? -1 : 0;
        if (ch === "," && depth <= 0) { cut.push(chunk.slice(start, i)); start = i + 1; }
      }
      cut.push(chunk.slice(start));
      for (var k = 0; k < cut.length; k++) {
        var piece = cut[k].trim();
        if ("([".indexOf(piece.slice(0, 1)) >= 0 && piece.length && ")]".indexOf(piece.slice(-1)) >= 0 && piece.indexOf(",") >= 0) {
          var inner = piece.slice(1, -1).split(",");
          for (var j = 0; j < inner.length; j++) out.push(inner[j].trim());
          continue;
        }
        var m = /^(?:([A-Za-z]+)\s+([^=:]+)|([^=:]+?)\s+([A-Za-z]+))$/.exec(piece);
        if (m) {
          var first = m[1] ? m[1] : m[4], rest = m[1] ? m[2] : m[3];
          if (has(PART_WORDS, first.toLowerCase())) { out.push(first, rest.trim()); continue; }
        }
        out.push(piece);
      }
    }
    return out.filter(function (p) { return p.length > 0; });
  }

  function checkParts(typed, answer, tol, mistakes, parts) {
    var list = pieces(typed);
    if (!list.length) return checkStrict(typed, answer, tol, [], null);
    if (mistakes.length && typed.indexOf("=") < 0 && typed.indexOf(":") < 0) {
      var whole = checkStrict(typed, answer, tol, mistakes, null);
      if (whole.status === "incorrect") {
        for (var w = 0; w < mistakes.length; w++) if (whole.message === String(mistakes[w][1])) return whole;
      }
    }
    var given = {}, problems = [], loose = [], i, p;
    function isGiven(index) { return Object.prototype.hasOwnProperty.call(given, index); }
    for (var k = 0; k < list.length; k++) {
      var piece = list[k];
      var label = /^([^=:]{1,30}?)\s*[=:]\s*([\s\S]*)$/.exec(piece);
      if (label && !NUMBER_TEXT.test(label[1])) {
        var name = labelKey(label[1]), index = -1;
        for (i = 0; i < parts.length; i++) if (parts[i].labels.indexOf(name) >= 0) { index = i; break; }
        if (index < 0) { problems.push(msg("part_unknown", { name: clipText(label[1].trim(), 20) })); continue; }
        given[index] = label[2].trim();
        continue;
      }
      loose.push(piece);
    }
    for (k = 0; k < loose.length; k++) {
      var word = loose[k].trim().toLowerCase(), isWord = false, found = -1;
      for (i = 0; i < parts.length; i++) if (parts[i].words && has(parts[i].words, word)) isWord = true;
      for (i = 0; i < parts.length; i++) {
        p = parts[i];
        var fits = isWord ? (p.words && has(p.words, word)) : !p.words;
        if (fits && !isGiven(i)) { found = i; break; }
      }
      if (found < 0) { problems.push(msg("part_extra", { text: clipText(loose[k], 20) })); continue; }
      given[found] = loose[k];
    }
    var invalid = false, wrong = {};
    for (i = 0; i < parts.length; i++) {
      if (!isGiven(i)) continue;
      p = parts[i];
      var text = given[i];
      if (p.words) {
        var key = text.trim().toLowerCase();
        if (!has(p.words, key)) {
          var seen = {}, words = [];
          for (var wk in p.words) if (has(p.words, wk) && !has(seen, p.words[wk])) { seen[p.words[wk]] = 1; words.push(p.words[wk]); }
          words.sort();
          wrong[i] = 1;
          problems.push(msg("part_word", { part: p.name, words: words.join(" or ") }));
        } else if (p.words[key] !== p.answer) {
          wrong[i] = 1;
          problems.push(msg("part_not_right", { part: p.name }));
        }
        continue;
      }
      var v = checkStrict(text, p.answer, tol, p.answer === answer ? mistakes : [], typeof p.form === "string" ? p.form : "value");
      if (v.status !== "correct") {
        wrong[i] = 1;
        invalid = invalid || v.status === "invalid";
        problems.push(msg("part_says", { part: p.name, says: v.message.replace(/\.+$/, "") }));
      }
    }
    var missing = [];
    for (i = 0; i < parts.length; i++) if (parts[i].required && !isGiven(i)) missing.push(parts[i].name);
    if (!Object.keys(given).length && !missing.length) missing = [parts.map(function (q) { return q.name; }).join(" or ")];
    if (missing.length) problems.push(msg("part_missing", { parts: missing.join(", ") }));
    if (!problems.length) return verdict("correct", CORRECT);
    var right = [];
    for (i = 0; i < parts.length; i++) if (isGiven(i) && !has(wrong, i)) right.push(parts[i].name);
    var out = (right.length ? msg("parts_right", { parts: right.join(", ") }) : "") + problems.join("; ");
    return verdict(invalid ? "invalid" : "incorrect", /\.$/.test(out) ? out : out + ".");
  }

  function tolerance(value) {
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) return null;
    return value;
  }

  function options(opts) {
    opts = opts || {};
    return [
      new Tol(tolerance(opts.rtol), tolerance(opts.atol)),
      Array.isArray(opts.mistakes) ? opts.mistakes : [],
      typeof opts.form === "string" ? opts.form : null,
      Array.isArray(opts.labels) ? opts.labels : []
    ];
  }

  window.QuizgenChecker = {
    /** Compare a typed answer with the key: {status, message}, never throws. */
    check: function (answer, expected, opts) {
      try {
        var o = options(opts);
        return checkStrict(answer, expected, o[0], o[1], o[2], o[3]);
      } catch (err) {
        return verdict("invalid", UNCHECKED);
      }
    },
    /** A multi-part answer against opts.parts (see grade_parts in quizgen/keys.py), never throws. */
    checkParts: function (answer, expected, opts) {
      try {
        var o = options(opts);
        var parts = opts && Array.isArray(opts.parts) ? opts.parts : [];
        return parts.length ? checkParts(String(answer), expected, o[0], o[1], parts) : checkStrict(answer, expected, o[0], o[1], o[2], o[3]);
      } catch (err) {
        return verdict("invalid", UNCHECKED);
      }
    },
    /** The same without the safety net, so tests see a bug as an exception. */
    checkStrict: function (answer, expected, opts) {
      var o = options(opts);
      return checkStrict(answer, expected, o[0], o[1], o[2], o[3]);
    }
  };
})();
