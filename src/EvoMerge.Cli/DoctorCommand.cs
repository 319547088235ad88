using System.CommandLine;
using System.Runtime.InteropServices;
using TorchSharp;

namespace EvoMerge.Cli;

/// <summary>
/// <c>evomerge doctor [--library PATH]</c>: checks that the native TorchSharp library loads on this machine (or
/// that a given copy of it loads) and reports libtorch's settings. Exit 1 when loading fails.
/// </summary>
public static class DoctorCommand
{
    public static Command Create()
    {
        var library = new Option<FileInfo?>("--library") { Description = "Only try to load this native library file (dlopen) and report the result." };
        var command = new Command("doctor", "Check that TorchSharp's native library loads here and print libtorch's settings.") { library };
        command.SetAction(parse =>
        {
            if (parse.GetValue(library) is { } file)
            {
                if (NativeLibrary.TryLoad(file.FullName, out var handle))
                {
                    Console.WriteLine($"loaded {file.FullName}");
                    NativeLibrary.Free(handle);
                    return 0;
                }
                Console.Error.WriteLine($"evomerge: error: {file.FullName} does not load on this machine (run `ldd` on it for the missing symbol versions)");
                return 1;
            }
            Console.WriteLine($"torch threads     {torch.get_num_threads()}");
            Console.WriteLine($"cuda available    {torch.cuda.is_available()}");
            Console.WriteLine($"openmp spin       {EvoMerge.Tensors.OpenMpSpin.Describe()}");
            using var probe = torch.ones(2, 2).matmul(torch.ones(2, 2));
            Console.WriteLine($"matmul check      {(probe.sum().item<float>() == 8f ? "ok" : "WRONG")}");
            return 0;
        });
        return command;
    }
}
