// Go offers built-in support for creating dynamic content
// or showing customized output to the user with the
// `text/template` package.
package main

import (
	"os"
	"text/template"
)

func main() {
	t1 := template.Must(template.New("t1").Parse("Value: {{.}}\n"))
	t1.Execute(os.Stdout, "some text")
	t1.Execute(os.Stdout, 5)
	t1.Execute(os.Stdout, []string{"Go", "Rust", "C++", "C#"})

	t2 := template.Must(template.New("t2").Parse("Name: {{.Name}}\n"))
	t2.Execute(os.Stdout, struct{ Name string }{"Jane Doe"})
	t2.Execute(os.Stdout, map[string]string{"Name": "Mickey Mouse"})

	t3 := template.Must(template.New("t3").Parse(
		"{{if . -}} yes {{else -}} no {{end}}\n"))
	t3.Execute(os.Stdout, "not empty")
	t3.Execute(os.Stdout, "")

	t4 := template.Must(template.New("t4").Parse(
		"Range: {{range .}}{{.}} {{end}}\n"))
	t4.Execute(os.Stdout, []string{"Go", "Rust", "C++", "C#"})
}
