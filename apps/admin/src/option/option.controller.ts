import { Body, Controller, Get, Inject, Put } from '@nestjs/common';
import { Role } from '@oneapi/domain';
import { Auth } from '../auth/auth.decorators';
import { ok } from '../common/envelope';
import { UpdateOptionDto } from './dtos/update-option.dto';
import { OptionService } from './option.service';

/** `GET|PUT /api/option/` (root). */
@Controller('api/option')
@Auth(Role.Root)
export class OptionController {
  constructor(@Inject(OptionService) private readonly options: OptionService) {}

  @Get()
  list() {
    return ok(this.options.list());
  }

  @Put()
  async update(@Body() dto: UpdateOptionDto) {
    await this.options.update(dto.key, dto.value);
    return ok();
  }
}
