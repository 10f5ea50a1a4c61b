// The `log/slog` package provides structured log output.
// The text handler writes key=value pairs, starting with
// the time the record was created.
package main

import (
	"log/slog"
	"os"
)

func main() {
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	logger.Info("hi there")
	logger.Info("hello again", "key", "val", "age", 25)

	l := logger.With("request", 42)
	l.Warn("slow request", "ms", 512)
}
