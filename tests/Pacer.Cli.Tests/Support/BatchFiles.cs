using System.Text.Json;

namespace Pacer.Cli.Tests.Support;

/// <summary>Request files in the Message Batches format, and the results files pacer writes.</summary>
internal static class BatchFiles
{
    public static string Request(string customId, string model = "claude-sonnet-4-5", int maxTokens = 20) =>
        JsonSerializer.Serialize(new
        {
            custom_id = customId,
            @params = new { model, max_tokens = maxTokens, messages = new[] { new { role = "user", content = "Say hello to " + customId } } },
        });

    public static string WriteRequests(string folder, int count, string name = "requests.jsonl")
    {
        var path = Path.Combine(folder, name);
        File.WriteAllLines(path, Enumerable.Range(0, count).Select(i => Request($"req-{i}")));
        return path;
    }

    /// <summary>Reads a results file: every line must be a whole JSON result; returns (custom_id, result type) per line.</summary>
    public static List<(string CustomId, string Type)> ReadResults(string path)
    {
        var text = File.ReadAllText(path);
        if (text.Length > 0)
        {
            text.ShouldEndWith("\n", customMessage: "every result line ends with a newline");
        }

        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            return (root.GetProperty("custom_id").GetString()!, root.GetProperty("result").GetProperty("type").GetString()!);
        }).ToList();
    }

    /// <summary>Asserts one line per custom_id and every one of <c>req-0</c>..<c>req-(count-1)</c> answered with <paramref name="type"/>.</summary>
    public static void ShouldHoldEveryRequestOnce(string path, int count, string type = "succeeded")
    {
        var results = ReadResults(path);
        results.Select(r => r.CustomId).ShouldBeUnique();
        results.Select(r => r.CustomId).OrderBy(id => id, StringComparer.Ordinal)
            .ShouldBe(Enumerable.Range(0, count).Select(i => $"req-{i}").OrderBy(id => id, StringComparer.Ordinal));
        results.ShouldAllBe(r => r.Type == type);
    }

    /// <summary>A result line as the Batches API writes it.</summary>
    public static string ReadResultsLine(string customId, bool errored) => errored
        ? JsonSerializer.Serialize(new { custom_id = customId, result = new { type = "errored", error = new { type = "error", error = new { type = "api_error", message = "Internal server error" } } } })
        : JsonSerializer.Serialize(new { custom_id = customId, result = new { type = "succeeded", message = new { id = "msg_1", type = "message" } } });
}
