// Writes the FileDescriptorSet of grpc-go's grpc.testing protos (TestService and its messages)
// to stdout, so the TypeScript interop server serves exactly the messages grpc-go's interop
// client of the same version sends.
package main

import (
	"os"

	_ "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
)

func main() {
	fd, err := protoregistry.GlobalFiles.FindFileByPath("grpc/testing/test.proto")
	if err != nil {
		panic(err)
	}
	set := &descriptorpb.FileDescriptorSet{}
	seen := map[string]bool{}
	var add func(f protoreflect.FileDescriptor)
	add = func(f protoreflect.FileDescriptor) {
		if seen[f.Path()] {
			return
		}
		seen[f.Path()] = true
		imports := f.Imports()
		for i := 0; i < imports.Len(); i++ {
			add(imports.Get(i).FileDescriptor)
		}
		set.File = append(set.File, protodesc.ToFileDescriptorProto(f))
	}
	add(fd)
	out, err := proto.Marshal(set)
	if err != nil {
		panic(err)
	}
	os.Stdout.Write(out)
}
