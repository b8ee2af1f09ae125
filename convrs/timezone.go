package convrs

import (
	"io/fs"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// CanonicalTimeZone returns the IANA name of the time zone s names, whatever its letter case
// ("europe/london" → "Europe/London"), and whether there is such a zone. Regions are read case-insensitively,
// so time zones are too.
func CanonicalTimeZone(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || strings.Contains(s, "..") {
		return "", false
	}
	if _, err := time.LoadLocation(s); err == nil && s != "Local" {
		if name, ok := zoneNames()[strings.ToLower(s)]; ok {
			return name, true
		}
		return s, true
	}
	if name, ok := zoneNames()[strings.ToLower(s)]; ok {
		return name, true
	}
	// Without a zone list (no /usr/share/zoneinfo), try the usual capitalisation: Europe/London, America/New_York.
	if name := titleZone(s); name != s {
		if _, err := time.LoadLocation(name); err == nil {
			return name, true
		}
	}
	return "", false
}

// zoneNames maps the lower-cased names of the system's IANA zones to their names, read once.
var zoneNames = sync.OnceValue(func() map[string]string {
	names := map[string]string{"utc": "UTC"}
	root := "/usr/share/zoneinfo"
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		name, _ := filepath.Rel(root, path)
		first := name[0]
		if first < 'A' || first > 'Z' || strings.ContainsAny(name, ".") || strings.HasPrefix(name, "posix") || strings.HasPrefix(name, "right") {
			return nil
		}
		names[strings.ToLower(name)] = name
		return nil
	})
	return names
})

func titleZone(s string) string {
	b := []byte(strings.ToLower(s))
	up := true
	for i, c := range b {
		if up && c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
		up = c == '/' || c == '_' || c == '-'
	}
	return string(b)
}
