/// <summary>
/// A .NET startup hook (the runtime's documented <c>DOTNET_STARTUP_HOOKS</c> diagnostic: it runs
/// <c>StartupHook.Initialize</c> of the named assembly before <c>Main</c>) that puts a real bug into the evomerge CLI
/// under test: a thread of its own throws, unhandled, <c>EVOMERGE_TEST_THROW_AFTER_MS</c> milliseconds after start-up.
/// The type must be public, outside any namespace, and named exactly so.
/// </summary>
#pragma warning disable CA1050 // the runtime looks the hook up by this exact name, outside any namespace
public static class StartupHook
#pragma warning restore CA1050
{
    /// <summary>Called by the runtime in the CLI's process before its <c>Main</c>.</summary>
    public static void Initialize()
    {
        int delay = int.Parse(Environment.GetEnvironmentVariable("EVOMERGE_TEST_THROW_AFTER_MS") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        var thread = new Thread(() =>
        {
            Thread.Sleep(delay);
            throw new InvalidOperationException("a bug on a thread of its own");
        })
        { IsBackground = true };
        thread.Start();
    }
}
