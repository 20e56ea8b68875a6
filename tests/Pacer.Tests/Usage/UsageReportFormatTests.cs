using System.Text.Json;
using Pacer.Usage;

namespace Pacer.Tests.Usage;

public sealed class UsageReportFormatTests
{
    private static UsageReport Report()
    {
        UsageQuery.TryParse("2025-01-01", "2025-01-01", null, "user,day", out var query, out _).ShouldBeTrue();
        UsageTotals[] rows =
        [
            new() { User = "alice", Day = new DateOnly(2025, 1, 1), Requests = 2, InputTokens = 3000, OutputTokens = 1600, CostUsd = 0.033m, Credits = 4 },
            new() { User = "Smith, \"Bob\"\r\nJr", Day = new DateOnly(2025, 1, 1), Requests = 1, FailedRequests = 1, UnpricedRequests = 1, CacheWrite5mTokens = 5, CacheWrite1hTokens = 6, CacheReadTokens = 7 },
        ];
        return new UsageReport { Query = query, Rows = rows, Total = rows[0].Add(rows[1]) with { User = null, Day = null } };
    }

    [Fact]
    public void ToCsv_FieldsWithCommaQuoteAndNewline_AreQuotedPerRfc4180()
    {
        var csv = UsageCsv.ToCsv(Report());

        csv.ShouldBe(
            "user,day,requests,failedRequests,unpricedRequests,inputTokens,outputTokens,cacheWrite5mTokens,cacheWrite1hTokens,cacheReadTokens,costUsd,credits\r\n" +
            "alice,2025-01-01,2,0,0,3000,1600,0,0,0,0.033,4\r\n" +
            "\"Smith, \"\"Bob\"\"\r\nJr\",2025-01-01,1,1,1,0,0,5,6,7,0,0\r\n");
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("", "")]
    [InlineData(null, "")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("line\nbreak", "\"line\nbreak\"")]
    [InlineData("cr\ronly", "\"cr\ronly\"")]
    public void Escape_QuotesOnlyWhenNeeded(string? field, string expected) => UsageCsv.Escape(field).ShouldBe(expected);

    [Fact]
    public void ToJson_Report_HasTheDocumentedShape()
    {
        using var json = JsonDocument.Parse(UsageReportJson.ToJson(Report()));
        var root = json.RootElement;

        root.GetProperty("from").GetString().ShouldBe("2025-01-01T00:00:00Z");
        root.GetProperty("to").GetString().ShouldBe("2025-01-02T00:00:00Z");
        root.GetProperty("user").ValueKind.ShouldBe(JsonValueKind.Null);
        root.GetProperty("groupBy").EnumerateArray().Select(e => e.GetString()).ShouldBe(["user", "day"]);
        root.GetProperty("total").GetProperty("requests").GetInt64().ShouldBe(3);
        root.GetProperty("total").GetProperty("costUsd").GetRawText().ShouldBe("0.033");
        root.GetProperty("total").TryGetProperty("user", out _).ShouldBeFalse();
        var first = root.GetProperty("rows")[0];
        first.GetProperty("user").GetString().ShouldBe("alice");
        first.GetProperty("day").GetString().ShouldBe("2025-01-01");
        first.GetProperty("inputTokens").GetInt64().ShouldBe(3000);
        first.GetProperty("credits").GetInt64().ShouldBe(4);
        root.GetProperty("rows")[1].GetProperty("cacheWrite1hTokens").GetInt64().ShouldBe(6);
    }
}
