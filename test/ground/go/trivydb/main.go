// Command trivydb-loader writes an offline trivy vulnerability DB from trivy's own YAML fixtures,
// so trivy scans in tests never reach a registry.
//
//	trivydb-loader <cache-dir> <fixture.yaml>...
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	fixtures "github.com/aquasecurity/bolt-fixtures"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: trivydb-loader <cache-dir> <fixture.yaml>...")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "trivydb-loader:", err)
		os.Exit(1)
	}
}

func run(cacheDir string, files []string) error {
	dbDir := filepath.Join(cacheDir, "db")
	if err := os.MkdirAll(dbDir, 0o755); err != nil {
		return err
	}
	dbPath := filepath.Join(dbDir, "trivy.db")
	_ = os.Remove(dbPath)
	loader, err := fixtures.New(dbPath, files)
	if err != nil {
		return fmt.Errorf("open %s: %w", dbPath, err)
	}
	if err := loader.Load(); err != nil {
		_ = loader.Close()
		return fmt.Errorf("load fixtures: %w", err)
	}
	if err := loader.Close(); err != nil {
		return err
	}
	now := time.Now().UTC()
	meta := map[string]any{
		"Version":      2,
		"NextUpdate":   now.AddDate(100, 0, 0),
		"UpdatedAt":    now,
		"DownloadedAt": now,
	}
	body, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dbDir, "metadata.json"), body, 0o644)
}
