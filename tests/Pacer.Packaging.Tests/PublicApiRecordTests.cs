namespace Pacer.Packaging.Tests;

/// <summary>
/// The public API record as a contributor meets it: a library under the repository's build rules fails to build on an
/// unrecorded public change, and eng/update-public-api.sh records it (and, at a release, ships it) in one command.
/// </summary>
public sealed class PublicApiRecordTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("pacer-publicapi-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task UpdateScript_UnrecordedChangeFailsTheBuild_OneCommandRecordsAddedAndRemovedSymbols()
    {
        var project = WriteLibrary("public int Size { get; set; }\n    public void Grow() { }");

        await UpdateAsync(project);
        Record("Unshipped").ShouldBe(["#nullable enable", "Scratch.Widget", "Scratch.Widget.Grow() -> void", "Scratch.Widget.Size.get -> int", "Scratch.Widget.Size.set -> void", "Scratch.Widget.Widget() -> void"], ignoreOrder: true);
        Record("Shipped").ShouldBe(["#nullable enable"]);

        // Released: the record is shipped, then a shipped member goes away and another comes.
        await UpdateAsync(project, "--ship");
        Record("Unshipped").ShouldBe(["#nullable enable"]);
        WriteLibrary("public int Size { get; set; }\n    public void Shrink() { }");

        var (exitCode, output) = await Command.TryRunAsync("dotnet", ["build", project, "-nologo"], _folder);
        exitCode.ShouldNotBe(0);
        output.ShouldContain("RS0016: Symbol 'Scratch.Widget.Shrink() -> void' is not part of the declared public API");
        output.ShouldContain("RS0017: Symbol 'Scratch.Widget.Grow() -> void' is part of the declared API");

        await UpdateAsync(project);
        Record("Unshipped").ShouldBe(["#nullable enable", "Scratch.Widget.Shrink() -> void", "*REMOVED*Scratch.Widget.Grow() -> void"], ignoreOrder: true);
        await Command.RunAsync("dotnet", ["build", project, "-nologo"], _folder);
    }

    private Task<string> UpdateAsync(string project, params string[] options) =>
        Command.RunAsync("bash", [Path.Combine(Repository.Root, "eng", "update-public-api.sh"), .. options, project], _folder);

    private string[] Record(string kind) =>
        File.ReadAllLines(Path.Combine(_folder, $"PublicAPI.{kind}.txt")).Where(l => l.Length > 0).ToArray();

    /// <summary>A library that takes the repository's src/ build files, as a new project under src/ would.</summary>
    private string WriteLibrary(string members)
    {
        var src = Path.Combine(Repository.Root, "src");
        File.WriteAllText(Path.Combine(_folder, "Directory.Build.props"), $"<Project><Import Project=\"{Path.Combine(src, "Directory.Build.props")}\" /></Project>\n");
        File.WriteAllText(Path.Combine(_folder, "Directory.Build.targets"), $"<Project><Import Project=\"{Path.Combine(src, "Directory.Build.targets")}\" /></Project>\n");
        File.WriteAllText(Path.Combine(_folder, "Directory.Packages.props"), $"<Project><Import Project=\"{Path.Combine(Repository.Root, "Directory.Packages.props")}\" /></Project>\n");
        var project = Path.Combine(_folder, "Scratch.csproj");
        File.WriteAllText(project, """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <Description>A library to record.</Description>
                <NoWarn>$(NoWarn);CS1591</NoWarn>
              </PropertyGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(_folder, "Widget.cs"), $$"""
            namespace Scratch;

            public sealed class Widget
            {
                {{members}}
            }
            """);
        return project;
    }
}
