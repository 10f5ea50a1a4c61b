// Counting words read from standard input. Words are
// split with bufio.ScanWords; the counts are kept in a map
// and printed in order of first appearance.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

func main() {
	counts := map[string]int{}
	var order []string

	sc := bufio.NewScanner(os.Stdin)
	sc.Split(bufio.ScanWords)
	for sc.Scan() {
		w := strings.ToLower(strings.Trim(sc.Text(), ".,!?"))
		if counts[w] == 0 {
			order = append(order, w)
		}
		counts[w]++
	}
	for _, w := range order {
		fmt.Printf("%-6s %d\n", w, counts[w])
	}
	fmt.Println("total:", len(order), "distinct words")
}
