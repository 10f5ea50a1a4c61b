// Reading lines with bufio.Reader instead of a Scanner.
// Each line is printed with its number, like `cat -n`.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	r := bufio.NewReader(os.Stdin)
	n := 0
	for {
		line, err := r.ReadString('\n')
		if line != "" {
			n++
			fmt.Printf("%3d  %s\n", n, strings.TrimRight(line, "\n"))
		}
		if err == io.EOF {
			break
		}
	}
	fmt.Fprintf(os.Stderr, "%d lines\n", n)
}
