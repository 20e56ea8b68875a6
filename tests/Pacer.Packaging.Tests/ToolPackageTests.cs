using System.Text.Json;

namespace Pacer.Packaging.Tests;

/// <summary>What users install: the packed <c>pacer</c> tool, run as a user runs it.</summary>
[Collection(typeof(PackedCollection))]
public sealed class ToolPackageTests(PackedLibraries packed, InstalledTool tool) : IClassFixture<InstalledTool>
{
    [Fact]
    public async Task InstalledTool_Version_PrintsThePackedVersion()
    {
        var output = await Command.RunAsync(tool.Executable, ["--version"], tool.NewRunFolder());

        // The informational version: the package's version, then +commit when built in a git work tree.
        output.Trim().Split('+')[0].ShouldBe(packed.Version);
    }

    [Fact]
    public async Task InstalledTool_RunWithoutUpstream_AnswersEveryLineFromTheBuiltInSimulator()
    {
        var folder = tool.NewRunFolder();
        string[] ids = ["tool-1", "tool-2", "tool-3"];
        await File.WriteAllLinesAsync(Path.Combine(folder, "requests.jsonl"), ids.Select(id => JsonSerializer.Serialize(new
        {
            custom_id = id,
            @params = new { model = "claude-sonnet-4-5", max_tokens = 32, messages = new[] { new { role = "user", content = $"Hello from {id}" } } },
        })));

        // Command clears ANTHROPIC_* and PACER_*: no upstream, so the built-in simulator answers. A non-zero exit throws.
        var output = await Command.RunAsync(tool.Executable, ["run", "requests.jsonl", "--out", "results.jsonl"], folder);

        output.ShouldContain("BUILT-IN SIMULATOR");
        var results = (await File.ReadAllLinesAsync(Path.Combine(folder, "results.jsonl"))).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        results.Select(r => r.GetProperty("custom_id").GetString()).ShouldBe(ids, ignoreOrder: true);
        results.ShouldAllBe(r => r.GetProperty("result").GetProperty("type").GetString() == "succeeded");
        results.ShouldAllBe(r => r.GetProperty("result").GetProperty("message").GetProperty("type").GetString() == "message");
    }

    [Fact]
    public async Task InstalledTool_UnknownCommand_PrintsUsageAndExitsTwo()
    {
        var (exitCode, output) = await Command.TryRunAsync(tool.Executable, ["frobnicate"], tool.NewRunFolder());

        exitCode.ShouldBe(2, output);
        output.ShouldStartWith("pacer: ");
        output.ShouldContain("frobnicate");
        output.ShouldContain("Usage:");
        output.ShouldContain("run <INPUT>");
    }
}
