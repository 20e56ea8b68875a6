namespace Pacer.Packaging.Tests;

/// <summary>
/// The packed <c>pacer</c> tool, installed once for the test class as README.md shows (dotnet tool install from the
/// packed folder), into a tool path of its own rather than the user's global tools.
/// </summary>
public sealed class InstalledTool(PackedLibraries packed) : IAsyncLifetime
{
    private readonly string _work = Directory.CreateTempSubdirectory("pacer-tool-").FullName;

    public string ToolPath => Path.Combine(_work, "tools");

    public string Executable => Path.Combine(ToolPath, "pacer");

    /// <summary>A fresh, empty folder for one run of the tool (no .env, no appsettings.json).</summary>
    public string NewRunFolder() => Directory.CreateDirectory(Path.Combine(_work, "run-" + Guid.NewGuid().ToString("N"))).FullName;

    public async ValueTask InitializeAsync() =>
        await Command.RunAsync(
            "dotnet",
            ["tool", "install", "Pacer.Cli", "--tool-path", ToolPath, "--add-source", packed.Packages, "--version", packed.Version],
            _work);

    public ValueTask DisposeAsync()
    {
        PackedLibraries.TryDelete(_work);
        return ValueTask.CompletedTask;
    }
}
