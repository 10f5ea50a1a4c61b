// runtime.ReadMemStats reports how much memory the Go
// runtime has allocated. The numbers depend on the run.
package main

import (
	"fmt"
	"runtime"
)

func main() {
	var m runtime.MemStats

	runtime.ReadMemStats(&m)
	fmt.Printf("Alloc = %d KiB\n", m.Alloc/1024)

	data := make([][]byte, 0, 100)
	for range 100 {
		data = append(data, make([]byte, 10_000))
	}

	runtime.ReadMemStats(&m)
	fmt.Printf("Alloc = %d KiB\n", m.Alloc/1024)
	fmt.Printf("NumGC = %d\n", m.NumGC)
	fmt.Println(len(data), "buffers kept")
}
