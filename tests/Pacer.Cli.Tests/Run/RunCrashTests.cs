using System.Text;
using System.Text.Json;
using Pacer.Cli.Tests.Support;

namespace Pacer.Cli.Tests.Run;

/// <summary>
/// <c>pacer run</c> killed with SIGKILL (issue 15, "Crashes") again and again while it writes results as fast as the
/// simulator answers: each kill may leave at most a torn last line; every whole line already written stays, byte for
/// byte, through every later kill and resume; the lock of a killed run never blocks the next; the last run answers
/// every request exactly once.
/// </summary>
public sealed class RunCrashTests : IDisposable
{
    private const int Requests = 150;
    private readonly string _folder = Directory.CreateTempSubdirectory("pacer-cli-crash-").FullName;

    private string Out => Path.Combine(_folder, "results.jsonl");

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
    public async Task Run_KilledThreeTimesWhileWritingFast_KeepsEveryWholeLineAndTheLastRunAnswersEachOnce()
    {
        var input = BatchFiles.WriteRequests(_folder, Requests);
        var kept = new List<string>();
        foreach (var killAfter in new[] { 10, 40, 80 })
        {
            using (var run = CliProcess.StartPacer(_folder, ["run", input, "--out", Out], CliProcess.FastSimulator))
            {
                await CliProcess.Until(() => WholeLines().Count >= killAfter, $"{killAfter} results");
                run.KillHard();
                await run.WaitForExitAsync();
            }

            var lines = WholeLines();
            lines.Count.ShouldBeLessThan(Requests, "the kill came before the end");
            lines.Take(kept.Count).ShouldBe(kept, "every whole line written before an earlier kill is still there, unchanged");
            foreach (var line in lines)
            {
                using var result = JsonDocument.Parse(line);
                result.RootElement.GetProperty("result").GetProperty("type").GetString().ShouldBe("succeeded");
                result.RootElement.GetProperty("result").GetProperty("message").GetProperty("type").GetString().ShouldBe("message");
            }

            lines.Select(CustomId).ShouldBeUnique();
            kept = lines;
        }

        using var last = await CliProcess.RunPacerAsync(_folder, ["run", input, "--out", Out], CliProcess.FastSimulator);

        last.ExitCode.ShouldBe(0, last.StandardError);
        BatchFiles.ShouldHoldEveryRequestOnce(Out, Requests);
        File.ReadAllLines(Out).Take(kept.Count).ShouldBe(kept);
    }

    private static string CustomId(string line)
    {
        using var result = JsonDocument.Parse(line);
        return result.RootElement.GetProperty("custom_id").GetString()!;
    }

    /// <summary>The lines that end with a newline; a torn last line (a kill mid-write) is left out, as the next run cuts it off.</summary>
    private List<string> WholeLines()
    {
        if (!File.Exists(Out))
        {
            return [];
        }

        byte[] bytes;
        try
        {
            using var file = new FileStream(Out, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var buffer = new MemoryStream();
            file.CopyTo(buffer);
            bytes = buffer.ToArray();
        }
        catch (FileNotFoundException)
        {
            // Replaced by a repaired copy at this very moment.
            return [];
        }

        var text = Encoding.UTF8.GetString(bytes);
        var end = text.LastIndexOf('\n');
        return end < 0 ? [] : [.. text[..end].Split('\n')];
    }
}
