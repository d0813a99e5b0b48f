"""One pagination shape for every list: items, count, limit, offset, next_offset."""

from functools import cache

from ninja import Schema
from pydantic import Field, create_model

# Beyond any real list, and within what every database accepts in OFFSET.
MAX_OFFSET = 2**31 - 1


class PageParams(Schema):
    limit: int = Field(25, ge=1, le=100, description="How many items to return (1–100).")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many items to skip.")


@cache
def page_of(item_schema):
    """The response schema for a page of `item_schema`."""
    return create_model(
        f"{item_schema.__name__}Page",
        __base__=Schema,
        items=(list[item_schema], ...),
        count=(int, Field(..., description="Items matching the filters, across all pages.")),
        limit=(int, ...),
        offset=(int, ...),
        next_offset=(int | None, Field(None, description="Offset of the next page, if any.")),
    )


def paginate(queryset, params: PageParams) -> dict:
    count = queryset.count()
    items = list(queryset[params.offset : params.offset + params.limit])
    next_offset = params.offset + params.limit
    return {
        "items": items,
        "count": count,
        "limit": params.limit,
        "offset": params.offset,
        "next_offset": next_offset if next_offset < count else None,
    }
