using Infomat.Privacy.Cases;

namespace Infomat.Privacy.Core.Tests;

public sealed class CaseIdsTests
{
    [Fact]
    public void New_references_are_well_formed_and_distinct()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => CaseIds.New()).ToList();
        Assert.All(ids, id => Assert.True(CaseIds.IsWellFormed(id), id));
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Theory]
    [InlineData("PR-AAAA-BBBB-CCC")]
    [InlineData("PR-AAAA-BBBB-CCCI")]
    [InlineData("pr-aaaa-bbbb-cccc")]
    [InlineData("PR-AAAA/BBBB-CCCC")]
    [InlineData("' or 1=1 --")]
    public void Anything_else_is_not_a_reference(string value) => Assert.False(CaseIds.IsWellFormed(value));
}
