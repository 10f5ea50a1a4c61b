// Go offers built-in support for JSON encoding and
// decoding, including to and from built-in and custom
// data types.
package main

import (
	"encoding/json"
	"fmt"
	"os"
)

type response struct {
	Page   int      `json:"page"`
	Fruits []string `json:"fruits"`
	secret string
}

func main() {
	bolB, _ := json.Marshal(true)
	fmt.Println(string(bolB))

	mapB, _ := json.Marshal(map[string]int{"lettuce": 7, "apple": 5})
	fmt.Println(string(mapB))

	res := &response{Page: 1, Fruits: []string{"apple", "peach"}, secret: "x"}
	resB, _ := json.Marshal(res)
	fmt.Println(string(resB))

	str := `{"page": 1, "fruits": ["apple", "peach"]}`
	var dec response
	json.Unmarshal([]byte(str), &dec)
	fmt.Println(dec.Page, dec.Fruits[0])

	var dat map[string]interface{}
	json.Unmarshal([]byte(`{"num":6.13,"strs":["a","b"]}`), &dat)
	fmt.Println(dat)

	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	enc.Encode(map[string]int{"b": 2, "a": 1})
}
