namespace Pacer.Packaging.Tests;

/// <summary>
/// The gateway as docs/DEPLOY.md publishes it, once for the test class: self-contained, one file, linux-x64, built in a
/// folder of its own so the repository's bin/ and obj/ are left alone.
/// </summary>
public sealed class PublishedGateway : IAsyncLifetime
{
    private readonly string _work = Directory.CreateTempSubdirectory("pacer-publish-").FullName;

    public string Folder => Path.Combine(_work, "publish");

    public string Executable => Path.Combine(Folder, "Pacer.Gateway");

    /// <summary>A fresh, empty folder for one run of the gateway (its working folder and database).</summary>
    public string NewRunFolder() => Directory.CreateDirectory(Path.Combine(_work, "run-" + Guid.NewGuid().ToString("N"))).FullName;

    public async ValueTask InitializeAsync() =>
        await Command.RunAsync(
            "dotnet",
            ["publish", Path.Combine(Repository.Root, "src", "Pacer.Gateway"), "-c", "Release", "-r", "linux-x64", "--self-contained", "-p:PublishSingleFile=true",
             "-o", Folder, "--artifacts-path", Path.Combine(_work, "build"), "-nologo"],
            Repository.Root);

    public ValueTask DisposeAsync()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
        }

        return ValueTask.CompletedTask;
    }
}
