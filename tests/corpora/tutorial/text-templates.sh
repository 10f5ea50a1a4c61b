$ go run text-templates.go
Value: some text
Value: 5
Value: [Go Rust C++ C#]
Name: Jane Doe
Name: Micky Mouse
yes 
no 
Range: Go Rust C++ C# 
