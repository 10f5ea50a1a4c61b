// Programs write results to standard output and
// diagnostics to standard error. In a terminal both
// streams are shown together, in the order they're written.
package main

import (
	"fmt"
	"os"
)

func main() {
	files := []string{"a.txt", "b.txt", "c.txt"}
	for i, f := range files {
		if i == 1 {
			fmt.Fprintln(os.Stderr, "warning: skipping", f)
			continue
		}
		fmt.Println("processing", f)
	}
	fmt.Fprintln(os.Stderr, "done with 1 warning")
}
