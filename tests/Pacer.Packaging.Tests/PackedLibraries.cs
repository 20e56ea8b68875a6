namespace Pacer.Packaging.Tests;

/// <summary>
/// Packs every packable project (the libraries and the tool) with eng/pack.sh, once for the tests of
/// <see cref="PackedCollection"/>, into a folder of its own and under a version no cache has seen (the repository's
/// version with a prerelease label of this run), then builds a throwaway console project that takes Pacer from that
/// folder as a package, as a user's project would.
/// </summary>
public sealed class PackedLibraries : IAsyncLifetime
{
    public const string ConsumerName = "PacerConsumer";

    private readonly string _work = Directory.CreateTempSubdirectory("pacer-packages-").FullName;

    public string Version { get; } = $"{Repository.VersionPrefix}-consumer.g{Guid.NewGuid():N}";

    public string Packages => Path.Combine(_work, "packages");

    public string Consumer => Path.Combine(_work, "consumer");

    public string ConsumerAssembly => Path.Combine(Consumer, "bin", "Release", "net10.0", ConsumerName + ".dll");

    public string Package(string id, string extension = "nupkg") => Path.Combine(Packages, $"{id}.{Version}.{extension}");

    public async ValueTask InitializeAsync()
    {
        await Command.RunAsync(
            "bash",
            [Path.Combine(Repository.Root, "eng", "pack.sh"), "-o", Packages, "--artifacts-path", Path.Combine(_work, "build"), $"-p:VersionSuffix={Version[(Repository.VersionPrefix.Length + 1)..]}"],
            Repository.Root);

        Directory.CreateDirectory(Consumer);
        ConsumerProject.Write(Consumer, ConsumerName, Version, Repository.PinnedVersion("Anthropic"), Packages);
        await Command.RunAsync("dotnet", ["build", Consumer, "-c", "Release", "-nologo"], Consumer);
    }

    public ValueTask DisposeAsync()
    {
        // The prerelease label is this run's alone: drop what the restore put in the global packages folder.
        var global = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } set
            ? set
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        // Every package of the pack (the libraries and the tool), whichever a restore or a tool install took.
        var suffix = $".{Version}.nupkg";
        var ids = Directory.Exists(Packages)
            ? Directory.GetFiles(Packages, "*" + suffix).Select(f => Path.GetFileName(f)[..^suffix.Length].ToLowerInvariant()).ToList()
            : [];
        foreach (var id in ids)
        {
            TryDelete(Path.Combine(global, id, Version));
            if (Directory.Exists(Path.Combine(global, id)) && !Directory.EnumerateFileSystemEntries(Path.Combine(global, id)).Any())
            {
                TryDelete(Path.Combine(global, id));
            }
        }

        TryDelete(_work);
        return ValueTask.CompletedTask;
    }

    internal static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
