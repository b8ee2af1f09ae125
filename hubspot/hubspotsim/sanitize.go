package hubspotsim

import (
	"html"
	"strings"
)

// Elements removed together with their content, and void elements removed alone.
var (
	dropWithContent = map[string]bool{"script": true, "style": true, "iframe": true, "object": true, "embed": true,
		"frame": true, "frameset": true, "noscript": true, "template": true, "applet": true}
	dropAlone = map[string]bool{"base": true, "meta": true, "link": true}
	urlAttrs  = map[string]bool{"href": true, "src": true, "action": true, "formaction": true, "xlink:href": true,
		"background": true, "poster": true, "cite": true, "srcset": true}
)

// sanitizeHTML renders stored note HTML as HubSpot's timeline does: the markup is trusted, but scripts, frames,
// event-handler attributes and script URLs are removed.
func sanitizeHTML(in string) string {
	var b strings.Builder
	i := 0
	for i < len(in) {
		lt := strings.IndexByte(in[i:], '<')
		if lt < 0 {
			b.WriteString(in[i:])
			break
		}
		b.WriteString(in[i : i+lt])
		i += lt
		if strings.HasPrefix(in[i:], "<!--") {
			end := strings.Index(in[i+4:], "-->")
			if end < 0 {
				break
			}
			i += 4 + end + 3
			continue
		}
		end := tagEnd(in, i)
		name, attrs, closing, selfClose := parseTag(in, i, end)
		if end < 0 || name == "" {
			if end >= 0 && (strings.HasPrefix(in[i:], "<!") || strings.HasPrefix(in[i:], "<?")) {
				i = end + 1 // doctype, processing instruction
				continue
			}
			b.WriteString("&lt;")
			i++
			continue
		}
		i = end + 1
		if dropWithContent[name] {
			if !closing && !selfClose {
				i = skipPast(in, i, name)
			}
			continue
		}
		if dropAlone[name] {
			continue
		}
		if closing {
			b.WriteString("</" + name + ">")
			continue
		}
		b.WriteString("<" + name)
		for _, a := range attrs {
			if !safeAttr(a) {
				continue
			}
			b.WriteString(" " + a.name)
			if a.hasVal {
				b.WriteString(`="` + html.EscapeString(html.UnescapeString(a.val)) + `"`)
			}
		}
		if selfClose {
			b.WriteString(" /")
		}
		b.WriteString(">")
	}
	return b.String()
}

type htmlAttr struct {
	name, val string
	hasVal    bool
}

func safeAttr(a htmlAttr) bool {
	if strings.HasPrefix(a.name, "on") || a.name == "srcdoc" || a.name == "formaction" {
		return false
	}
	v := strings.ToLower(html.UnescapeString(a.val))
	v = strings.Map(func(r rune) rune {
		if r <= ' ' {
			return -1
		}
		return r
	}, v)
	if urlAttrs[a.name] {
		for _, bad := range []string{"javascript:", "vbscript:", "data:text/html", "data:application", "data:image/svg"} {
			if strings.Contains(v, bad) {
				return false
			}
		}
	}
	if a.name == "style" && (strings.Contains(v, "expression(") || strings.Contains(v, "javascript:") || strings.Contains(v, "url(")) {
		return false
	}
	return true
}

// tagEnd finds the '>' closing the tag that starts at i, skipping quoted attribute values; -1 if none.
func tagEnd(s string, i int) int {
	var quote byte
	for j := i + 1; j < len(s); j++ {
		c := s[j]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return j
		}
	}
	return -1
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// parseTag reads the tag s[i:end+1]; name is "" when it is not an element tag.
func parseTag(s string, i, end int) (name string, attrs []htmlAttr, closing, selfClose bool) {
	if end < 0 {
		return "", nil, false, false
	}
	t := s[i+1 : end]
	if strings.HasPrefix(t, "/") {
		closing = true
		t = t[1:]
	}
	if t == "" || !isLetter(t[0]) {
		return "", nil, false, false
	}
	j := 0
	for j < len(t) && (isLetter(t[j]) || t[j] >= '0' && t[j] <= '9' || t[j] == '-' || t[j] == ':') {
		j++
	}
	name = strings.ToLower(t[:j])
	rest := t[j:]
	if strings.HasSuffix(strings.TrimSpace(rest), "/") {
		selfClose = true
	}
	k := 0
	for k < len(rest) {
		for k < len(rest) && (rest[k] <= ' ' || rest[k] == '/') {
			k++
		}
		st := k
		for k < len(rest) && rest[k] > ' ' && rest[k] != '=' && rest[k] != '/' {
			k++
		}
		if st == k {
			if k < len(rest) && rest[k] == '=' {
				k++ // stray '='
			}
			continue
		}
		a := htmlAttr{name: strings.ToLower(rest[st:k])}
		for k < len(rest) && rest[k] <= ' ' {
			k++
		}
		if k < len(rest) && rest[k] == '=' {
			k++
			for k < len(rest) && rest[k] <= ' ' {
				k++
			}
			a.hasVal = true
			if k < len(rest) && (rest[k] == '"' || rest[k] == '\'') {
				q := rest[k]
				k++
				vs := k
				for k < len(rest) && rest[k] != q {
					k++
				}
				a.val = rest[vs:k]
				k++
			} else {
				vs := k
				for k < len(rest) && rest[k] > ' ' {
					k++
				}
				a.val = rest[vs:k]
			}
		}
		attrs = append(attrs, a)
	}
	return name, attrs, closing, selfClose
}

// skipPast returns the index after the closing tag of name at or after i (end of input when missing).
func skipPast(s string, i int, name string) int {
	needle := "</" + name
	for j := i; j+len(needle) <= len(s); j++ {
		if s[j] == '<' && strings.EqualFold(s[j:j+len(needle)], needle) {
			end := strings.IndexByte(s[j:], '>')
			if end < 0 {
				return len(s)
			}
			return j + end + 1
		}
	}
	return len(s)
}
