package transcript

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// label heads every part of a transcript that needs several notes.
func label(i, n int) string {
	return "<p><strong>Convrs transcript, part " + strconv.Itoa(i) + " of " + strconv.Itoa(n) + "</strong></p>"
}

// split packs blocks (the header, then one block per message) into parts of at most limit UTF-16 units,
// each labelled "part i of n" when there are several. Removing the labels and joining the parts gives back
// the joined blocks exactly.
func split(blocks []string, limit int) []string {
	whole := 0
	for _, b := range blocks {
		whole += Length(b)
	}
	if whole <= limit {
		return []string{strings.Join(blocks, "")}
	}
	// The label's width depends on n: pack for labels of d digits until n has at most d digits.
	for d, most := 1, 9; ; d, most = d+1, most*10+9 {
		bodies := pack(blocks, limit-len(label(most, most)))
		if len(bodies) <= most {
			for i := range bodies {
				bodies[i] = label(i+1, len(bodies)) + bodies[i]
			}
			return bodies
		}
	}
}

// pack fills parts of capacity units with whole blocks, splitting a block only when it alone exceeds a part.
func pack(blocks []string, capacity int) []string {
	var (
		parts []string
		cur   strings.Builder
		used  int
	)
	flush := func() {
		if used > 0 {
			parts = append(parts, cur.String())
			cur.Reset()
			used = 0
		}
	}
	for _, b := range blocks {
		w := Length(b)
		if used+w <= capacity {
			cur.WriteString(b)
			used += w
			continue
		}
		if w <= capacity {
			flush()
			cur.WriteString(b)
			used = w
			continue
		}
		// One block alone is too long: split it at the best place in each part.
		for b != "" {
			room := capacity - used
			if used > 0 && room < capacity/4 {
				flush()
				continue
			}
			if w <= room {
				cur.WriteString(b)
				used += w
				break
			}
			n, units, top := cut(b, room)
			if used > 0 && (n == 0 || !top) {
				flush() // a fresh part may have a place outside any element
				continue
			}
			if n == 0 {
				// A token wider than a part: impossible with limit >= minLimit (see maxURLBytes), but never loop.
				tok, _, _, tw := token(b, 0)
				n, units = len(tok), tw
			}
			cur.WriteString(b[:n])
			used += units
			b, w = b[n:], w-units
			flush()
		}
	}
	flush()
	return parts
}

// cut returns where to end a part inside s, at most budget units in: the byte offset n > 0, the units of
// s[:n], and whether n is outside every element (depth 0). It prefers, in order, the end of a line, a space
// (each only in the second half of the budget), any place outside elements, any place that splits no
// character, and last any token boundary (a grapheme longer than a part). Tokens are tags, entities and
// runes; no token is ever split.
func cut(s string, budget int) (n, units int, top bool) {
	type place struct{ at, units int }
	var br, space, outside, safe, any place
	depth := 0
	var prev rune
	afterBR, afterSpace := false, false
	used := 0
	for i := 0; i < len(s); {
		tok, first, last, w := token(s, i)
		if i > 0 {
			p := place{i, used}
			any = p
			if breakBefore(prev, first) {
				safe = p
				if depth == 0 {
					outside = p
					if afterBR {
						br = p
					}
					if afterSpace {
						space = p
					}
				}
			}
		}
		if used+w > budget {
			break
		}
		used += w
		i += len(tok)
		switch {
		case strings.HasPrefix(tok, "</"):
			depth = max(depth-1, 0)
		case tok == "<br>" || tok == "<hr>" || strings.HasPrefix(tok, "<") && strings.HasSuffix(tok, "/>"):
		case strings.HasPrefix(tok, "<") && len(tok) > 1:
			depth++
		}
		afterBR = tok == "<br>"
		afterSpace = len(tok) == 1 && unicode.IsSpace(first)
		prev = last
		if i == len(s) {
			return len(s), used, depth == 0
		}
	}
	half := budget / 2
	switch {
	case br.at > 0 && br.units >= half:
		return br.at, br.units, true
	case space.at > 0 && space.units >= half:
		return space.at, space.units, true
	case outside.at > 0:
		return outside.at, outside.units, true
	case safe.at > 0:
		return safe.at, safe.units, false
	}
	return any.at, any.units, false
}

// token returns the token of s at i (a tag, an entity, or one rune), its first and last runes and its width in
// UTF-16 units.
func token(s string, i int) (tok string, first, last rune, units int) {
	switch s[i] {
	case '<':
		if j := strings.IndexByte(s[i:], '>'); j > 0 {
			return s[i : i+j+1], '<', '>', Length(s[i : i+j+1])
		}
	case '&':
		if j := strings.IndexByte(s[i:], ';'); j > 1 && j <= 10 && !strings.ContainsAny(s[i+1:i+j], "&< ") {
			return s[i : i+j+1], '&', ';', j + 1
		}
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	return s[i : i+size], r, r, utf16Len(r)
}
