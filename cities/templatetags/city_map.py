"""`{% city_map map %}`: the map of a `cities.map.CityMap`
(templates/cities/includes/map.html)."""

from django import template

from ..map import tile_source

register = template.Library()


@register.inclusion_tag("cities/includes/map.html")
def city_map(city_map, id="city-map"):
    return {"map": city_map, "id": id, "tiles": tile_source(), "data_id": f"{id}-data"}
